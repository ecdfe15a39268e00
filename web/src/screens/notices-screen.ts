// Placeholder: this screen is being built.
import { html } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";

export class NoticesScreen extends SalonElement {
  static override styles = [base];

  override render() {
    return html`<h1>Avis</h1>`;
  }
}

customElements.define("notices-screen", NoticesScreen);
