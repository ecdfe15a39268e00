// After a deploy, the new service worker waits; we say so and reload on request,
// rather than silently running a stale build (or reloading under the user's thumb).
import { html, css, nothing } from "lit";
import { Workbox } from "workbox-window";
import { firstSyncSettled } from "../lib/agenda-sync";
import { whenIdle } from "../lib/idle";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { strings } from "../lib/i18n";

const s = strings({
  fr: { ready: "Nouvelle version disponible.", reload: "Recharger" },
  en: { ready: "A new version is available.", reload: "Reload" },
});

export class UpdatePrompt extends SalonElement {
  static override properties = { waiting: { state: true } };
  declare waiting: boolean;
  private workbox: Workbox | null = null;

  constructor() {
    super();
    this.waiting = false;
  }

  static override styles = [
    base,
    css`
      div {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        justify-content: space-between;
        padding: 0.5rem 0.9rem;
        background: #e8f0ff;
        border-bottom: 1px solid var(--line);
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (!("serviceWorker" in navigator) || this.workbox) return;
    this.workbox = new Workbox("/sw.js", { scope: "/" });
    this.workbox.addEventListener("waiting", () => {
      this.waiting = true;
    });
    // The service worker's first install downloads the whole app shell: not while the
    // first visit's agenda downloads and draws (venue Wi-Fi, a phone's main thread), but
    // once that is done and the page is idle. `immediate`: the load event is long past.
    const workbox = this.workbox;
    void firstSyncSettled()
      .then(() => whenIdle())
      .then(() => workbox.register({ immediate: true }));
  }

  private reload(): void {
    // Reload once the new worker controls the page (its claim at activation), whoever
    // found the update (our registration, or the browser's own periodic check).
    navigator.serviceWorker.addEventListener("controllerchange", () => location.reload(), { once: true });
    this.workbox?.messageSkipWaiting();
  }

  override render() {
    if (!this.waiting) return nothing;
    return html`<div role="status">
      <span>${s("ready")}</span>
      <button class="primary" @click=${this.reload}>${s("reload")}</button>
    </div>`;
  }
}

customElements.define("update-prompt", UpdatePrompt);
