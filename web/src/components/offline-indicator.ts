// "Hors ligne" in the header while the phone has no network or the live socket is
// down; the app keeps working from its offline copy meanwhile.
import { html, css, nothing } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { strings } from "../lib/i18n";
import { onLiveStatus } from "../lib/live-events";

const s = strings({
  fr: { offline: "Hors ligne", offlineHelp: "Hors ligne : vous voyez la dernière copie enregistrée" },
  en: { offline: "Offline", offlineHelp: "Offline: you are seeing the last saved copy" },
});

export class OfflineIndicator extends SalonElement {
  static override properties = { online: { state: true } };
  declare online: boolean;
  private stopLive: (() => void) | null = null;
  private readonly update_ = (): void => {
    this.online = navigator.onLine;
  };

  constructor() {
    super();
    this.online = navigator.onLine;
  }

  static override styles = [
    base,
    css`
      span {
        display: inline-block;
        background: #fff1c2;
        color: #6b4a00;
        font-weight: 700;
        font-size: 0.85rem;
        border-radius: 1rem;
        padding: 0.2rem 0.6rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("online", this.update_);
    window.addEventListener("offline", this.update_);
    this.stopLive = onLiveStatus((connected) => {
      if (connected) this.online = true;
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("online", this.update_);
    window.removeEventListener("offline", this.update_);
    this.stopLive?.();
  }

  override render() {
    return this.online
      ? nothing
      : html`<span role="status" title=${s("offlineHelp")} data-testid="offline">${s("offline")}</span>`;
  }
}

customElements.define("offline-indicator", OfflineIndicator);
