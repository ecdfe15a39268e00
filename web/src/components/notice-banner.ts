// A live banner for each new notice. URGENT ones cover the top of the screen in
// red (role alert, focus on their button) and stay until acknowledged; the others
// can be dismissed or read in the inbox.
import { html, css, nothing } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { pick, strings } from "../lib/i18n";
import { onNotice } from "../lib/live-events";
import type { NoticeRecord } from "../lib/model";

const s = strings({
  fr: { dismiss: "Fermer", understood: "J'ai compris", urgent: "Urgent", open: "Voir", inbox: "Tous les avis" },
  en: { dismiss: "Dismiss", understood: "Understood", urgent: "Urgent", open: "Open", inbox: "All notices" },
});

export class NoticeBanner extends SalonElement {
  static override properties = { notice: { state: true } };
  declare notice: NoticeRecord | null;
  private stop: (() => void) | null = null;

  constructor() {
    super();
    this.notice = null;
  }

  static override styles = [
    base,
    css`
      section {
        margin: 0.5rem 0.75rem 0;
        padding: 0.75rem 0.9rem;
        border-radius: 0.8rem;
        border: 1px solid var(--line-strong);
        background: #e8f0ff;
      }
      /* Over the top of the screen wherever the page is scrolled, until acknowledged. */
      section.urgent {
        position: fixed;
        top: 0;
        left: 0;
        right: 0;
        z-index: 20;
        margin: 0;
        border-radius: 0;
        background: #8a1710;
        color: #fff;
        border-color: #8a1710;
        padding: 1rem;
        box-shadow: 0 0.4rem 1.2rem rgba(0, 0, 0, 0.3);
      }
      section.urgent a {
        color: #fff;
      }
      section.urgent a.button {
        background: transparent;
        border-color: #fff;
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        margin-top: 0.5rem;
        flex-wrap: wrap;
      }
      p {
        margin: 0.25rem 0;
        /* A meeting's notice puts its message on a line of its own. */
        white-space: pre-line;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.stop = onNotice((notice) => {
      // An urgent notice is never replaced by a normal one before it was seen.
      if (this.notice?.priority === "URGENT" && notice.priority !== "URGENT") return;
      this.notice = notice;
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop?.();
  }

  override updated(changed: Map<string, unknown>): void {
    // Focus moves to an urgent notice once, when it arrives (not at every re-render):
    // screen readers read it out, a keyboard user is on its button.
    if (changed.has("notice") && this.notice?.priority === "URGENT") {
      this.renderRoot.querySelector<HTMLButtonElement>("button")?.focus();
    }
  }

  override render() {
    const notice = this.notice;
    if (!notice) return nothing;
    const urgent = notice.priority === "URGENT";
    const link = notice.session ? `/session/${notice.session.id}` : notice.meeting ? "/b2b" : "/notices";
    return html`<section
      class=${urgent ? "urgent" : ""}
      role=${urgent ? "alert" : "status"}
      data-testid="notice-banner"
      data-notice-id=${notice.id}
    >
      ${urgent ? html`<span class="badge urgent">${s("urgent")}</span>` : nothing}
      <h2>${pick(notice.titleFr, notice.titleEn)}</h2>
      <p>${pick(notice.bodyFr, notice.bodyEn)}</p>
      <div class="actions">
        <button class=${urgent ? "" : "primary"} @click=${() => (this.notice = null)}>
          ${urgent ? s("understood") : s("dismiss")}
        </button>
        <a class="button" href=${link} @click=${() => (this.notice = null)}>
          ${notice.session || notice.meeting ? s("open") : s("inbox")}
        </a>
      </div>
    </section>`;
  }
}

customElements.define("notice-banner", NoticeBanner);
