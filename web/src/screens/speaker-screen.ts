// Placeholder: this screen is being built.
import { html } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";

export class SpeakerScreen extends SalonElement {
  static override styles = [base];

  override render() {
    return html`<h1>Intervenant</h1>`;
  }
}

customElements.define("speaker-screen", SpeakerScreen);
