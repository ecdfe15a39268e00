// Placeholder: this screen is being built.
import { html } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";

export class SigninScreen extends SalonElement {
  static override styles = [base];

  override render() {
    return html`<h1>Compte</h1>`;
  }
}

customElements.define("signin-screen", SigninScreen);
