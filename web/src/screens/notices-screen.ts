// The notices inbox, from IndexedDB, updated live as notices arrive. Newest first:
// at a fair the latest notice is the one that holds (a room moved twice, a talk
// moved then cancelled), and it is what someone opening the inbox came for; the
// banner already showed each one as it came. URGENT ones are marked, each links to
// its session or exhibitor, and can be marked read.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { clockTime, dayName, fairDay } from "../lib/fair-time";
import { lang, pick, strings } from "../lib/i18n";
import { inbox, markAllRead, markRead, type InboxItem } from "../lib/inbox";
import { signedIn } from "../lib/me";

const s = strings({
  fr: {
    title: "Avis",
    empty: "Aucun avis pour l'instant. Les changements de vos sessions et les annonces du salon arriveront ici.",
    signInHint: "Connectez-vous pour recevoir aussi les avis de vos sessions et de vos exposants suivis.",
    signIn: "Se connecter",
    unread1: "1 avis non lu",
    unreadN: "{n} avis non lus",
    allRead: "Tout est lu",
    markAll: "Tout marquer comme lu",
    markRead: "Marquer comme lu",
    unreadBadge: "Nouveau",
    urgent: "Urgent",
    session: "Voir la session",
    exhibitor: "Voir l'exposant",
    order: "Du plus récent au plus ancien",
    kind_ANNOUNCEMENT: "Annonce",
    kind_SESSION_CHANGED: "Session modifiée",
    kind_SESSION_CANCELLED: "Session annulée",
    kind_DEMO_STARTING: "Démo imminente",
    kind_REMINDER: "Rappel",
    kind_WAITLIST_PROMOTED: "Place obtenue",
    kind_DEMO_SCHEDULED: "Nouvelle démo",
    kind_MEETING_REQUESTED: "Demande de rendez-vous",
    kind_MEETING_ACCEPTED: "Rendez-vous accepté",
    kind_MEETING_DECLINED: "Rendez-vous refusé",
    kind_MEETING_CANCELLED: "Rendez-vous annulé",
    kind_MEETING_REMINDER: "Rappel de rendez-vous",
    meetings: "Voir mes rendez-vous",
  },
  en: {
    title: "Notices",
    empty: "No notices yet. Changes to your sessions and the fair's announcements will arrive here.",
    signInHint: "Sign in to also get the notices of your sessions and of the exhibitors you follow.",
    signIn: "Sign in",
    unread1: "1 unread notice",
    unreadN: "{n} unread notices",
    allRead: "All read",
    markAll: "Mark all as read",
    markRead: "Mark as read",
    unreadBadge: "New",
    urgent: "Urgent",
    session: "Open the session",
    exhibitor: "Open the exhibitor",
    order: "Newest first",
    kind_ANNOUNCEMENT: "Announcement",
    kind_SESSION_CHANGED: "Session changed",
    kind_SESSION_CANCELLED: "Session cancelled",
    kind_DEMO_STARTING: "Demo starting",
    kind_REMINDER: "Reminder",
    kind_WAITLIST_PROMOTED: "Seat confirmed",
    kind_DEMO_SCHEDULED: "New demo",
    kind_MEETING_REQUESTED: "Meeting request",
    kind_MEETING_ACCEPTED: "Meeting accepted",
    kind_MEETING_DECLINED: "Meeting declined",
    kind_MEETING_CANCELLED: "Meeting cancelled",
    kind_MEETING_REMINDER: "Meeting reminder",
    meetings: "See my meetings",
  },
});

type Key = Parameters<typeof s>[0];

export class NoticesScreen extends SalonElement {
  static override properties = { items: { state: true }, loaded: { state: true } };
  declare items: InboxItem[];
  declare loaded: boolean;
  protected override watches = ["notices", "me"];

  constructor() {
    super();
    this.items = [];
    this.loaded = false;
  }

  static override styles = [
    base,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      article.unread {
        border-left: 5px solid var(--brand);
      }
      article.urgent {
        border: 2px solid #8a1710;
        border-left-width: 8px;
      }
      article h2 {
        font-size: 1.05rem;
      }
      .meta {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
        font-size: 0.9rem;
      }
      .badge.new {
        background: var(--brand);
        color: #fff;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 0.4rem;
      }
      .summary {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
      }
      p.body {
        margin: 0.3rem 0;
        white-space: pre-line;
      }
    `,
  ];

  protected override async refresh(): Promise<void> {
    this.items = (await inbox()).reverse();
    this.loaded = true;
  }

  private item({ key, notice }: InboxItem): TemplateResult {
    const urgent = notice.priority === "URGENT";
    const kind = s(`kind_${notice.kind}` as Key) ?? notice.kind;
    const when = `${dayName(fairDay(notice.createdAt), lang(), "short")} ${clockTime(notice.createdAt)}`;
    return html`<li>
      <article
        class="card ${notice.read ? "" : "unread"} ${urgent ? "urgent" : ""}"
        data-testid="notice"
        data-notice-id=${notice.id}
        aria-labelledby="notice-${key}"
      >
        <div class="meta">
          ${urgent ? html`<span class="badge urgent">${s("urgent")}</span>` : nothing}
          ${notice.read ? nothing : html`<span class="badge new">${s("unreadBadge")}</span>`}
          <span class="muted">${kind} · ${when}</span>
        </div>
        <h2 id="notice-${key}">${pick(notice.titleFr, notice.titleEn)}</h2>
        <p class="body">${pick(notice.bodyFr, notice.bodyEn)}</p>
        <div class="actions">
          ${notice.session ? html`<a class="button" href="/session/${notice.session.id}">${s("session")}</a>` : nothing}
          ${notice.exhibitor
            ? html`<a class="button" href="/exhibitor/${notice.exhibitor.id}">${s("exhibitor")}</a>`
            : nothing}
          ${notice.meeting ? html`<a class="button" href="/b2b">${s("meetings")}</a>` : nothing}
          ${notice.read ? nothing : html`<button @click=${() => void markRead(key)}>${s("markRead")}</button>`}
        </div>
      </article>
    </li>`;
  }

  override render(): TemplateResult {
    const unread = this.items.filter((x) => !x.notice.read).length;
    return html`
      <h1>${s("title")}</h1>
      ${signedIn()
        ? nothing
        : html`<p>${s("signInHint")} <a href="/signin?next=/notices">${s("signIn")}</a></p>`}
      ${this.loaded && !this.items.length ? html`<p>${s("empty")}</p>` : nothing}
      ${this.items.length
        ? html`<div class="summary">
              <p aria-live="polite" data-testid="unread">
                ${unread === 0 ? s("allRead") : unread === 1 ? s("unread1") : s("unreadN", { n: unread })}
              </p>
              ${unread ? html`<button @click=${() => void markAllRead()}>${s("markAll")}</button>` : nothing}
            </div>
            <ol aria-label=${s("order")}>
              ${this.items.map((item) => this.item(item))}
            </ol>`
        : nothing}
    `;
  }
}

customElements.define("notices-screen", NoticesScreen);
