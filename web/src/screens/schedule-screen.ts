// My schedule: bookmarks and registrations by day, conflicts marked (overlap, or too
// far to walk), the registration status, CHANGED / CANCELLED, the calendar feed, the
// notifications toggle and the changes still waiting for the network. Works offline
// from the stored plan.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { ApiError, OfflineError } from "../lib/api";
import { allSessions } from "../lib/db";
import { dayName, fairDay, offsetLabel } from "../lib/fair-time";
import { lang, pick, strings } from "../lib/i18n";
import { currentMe, renewCalendarUrl, signedIn, type Conflict, type MeRecord, type PlanEntry } from "../lib/me";
import type { SessionRecord } from "../lib/model";
import { pendingChanges, setBookmark } from "../lib/plan";
import { sessionCard, sessionCardStyles } from "../components/session-card";
import { programmeCalendar, programmeCalendarStyles } from "../components/programme-calendar";
import { webcalUrl } from "../lib/ics";
import "../components/push-toggle";

const s = strings({
  fr: {
    title: "Mon programme",
    anonymous: "Connectez-vous pour garder vos sessions favorites et vos inscriptions, même hors ligne.",
    signIn: "Se connecter",
    loading: "Chargement de votre programme…",
    empty: "Votre programme est vide : ajoutez des sessions depuis le programme du salon.",
    browse: "Voir le programme",
    times: "Heures de Casablanca ({offset})",
    pending1: "1 changement en attente d'envoi",
    pendingN: "{n} changements en attente d'envoi",
    conflicts1: "1 conflit dans votre programme",
    conflictsN: "{n} conflits dans votre programme",
    overlap: "Chevauche « {title} »",
    tooFar: "Trop loin de « {title} » : {minutes} min à pied",
    conflict: "Conflit",
    registered: "Inscrit",
    waitlisted: "Liste d'attente",
    bookmark: "Favori",
    unknownSession: "Session {id} (détails disponibles une fois en ligne)",
    otherDays: "Autres sessions",
    calendar: "Dans mon agenda",
    calendarHelp: "Abonnez l'agenda de votre téléphone : vos sessions s'y mettent à jour toutes seules.",
    subscribe: "S'abonner au calendrier",
    httpsLink: "Lien https (Google Agenda, Outlook)",
    renew: "Renouveler le lien",
    renewHelp: "Renouveler coupe l'ancien lien, si vous l'avez partagé par erreur.",
    renewed: "Nouveau lien créé : l'ancien ne fonctionne plus.",
    renewOffline: "Pas de réseau : le lien sera renouvelable une fois en ligne.",
    renewFailed: "Le lien n'a pas pu être renouvelé. Réessayez.",
  },
  en: {
    title: "My schedule",
    anonymous: "Sign in to keep your bookmarked sessions and registrations, even offline.",
    signIn: "Sign in",
    loading: "Loading your schedule…",
    empty: "Your schedule is empty: add sessions from the fair's agenda.",
    browse: "See the agenda",
    times: "Casablanca time ({offset})",
    pending1: "1 change waiting to be sent",
    pendingN: "{n} changes waiting to be sent",
    conflicts1: "1 conflict in your schedule",
    conflictsN: "{n} conflicts in your schedule",
    overlap: "Overlaps “{title}”",
    tooFar: "Too far from “{title}”: {minutes} min walk",
    conflict: "Conflict",
    registered: "Registered",
    waitlisted: "Waiting list",
    bookmark: "Bookmark",
    unknownSession: "Session {id} (details once online)",
    otherDays: "Other sessions",
    calendar: "In my calendar",
    calendarHelp: "Subscribe your phone's calendar: your sessions stay up to date by themselves.",
    subscribe: "Subscribe to the calendar",
    httpsLink: "https link (Google Calendar, Outlook)",
    renew: "Renew the link",
    renewHelp: "Renewing cuts the old link off, in case you shared it by mistake.",
    renewed: "New link made: the old one no longer works.",
    renewOffline: "No network: the link can be renewed once online.",
    renewFailed: "The link could not be renewed. Try again.",
  },
});

interface Row {
  entry: PlanEntry;
  /** The freshest details known: the plan's own, or the agenda copy's. */
  session: SessionRecord | null;
}

type RenewState = "idle" | "busy" | "renewed" | "renewOffline" | "renewFailed";

/** The plan's details or the agenda copy's, whichever is the later version. */
function details(entry: PlanEntry, agenda: Map<string, SessionRecord>): SessionRecord | null {
  const copy = agenda.get(entry.id);
  const own = entry.startsAt ? (entry as SessionRecord) : null;
  if (own && copy) return own.version >= copy.version ? own : copy;
  return own ?? copy ?? null;
}

export class ScheduleScreen extends SalonElement {
  static override properties = {
    me: { state: true },
    agenda: { state: true },
    pending: { state: true },
    renew: { state: true },
  };
  declare me: MeRecord | null;
  declare agenda: Map<string, SessionRecord>;
  declare pending: number;
  declare renew: RenewState;
  protected override watches = ["me", "agenda", "outbox"];
  /** Rows un-bookmarked during this visit stay in view, so a slip of the thumb is undone in one tap. */
  private removed = new Map<string, PlanEntry>();

  constructor() {
    super();
    this.me = null;
    this.agenda = new Map();
    this.pending = 0;
    this.renew = "idle";
  }

  static override styles = [
    base,
    sessionCardStyles,
    programmeCalendarStyles,
    css`
      ul.plan {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li.row {
        margin: 0.6rem 0;
      }
      li.row .card {
        margin-bottom: 0.25rem;
      }
      li.conflict .card {
        border-color: #b3261e;
        box-shadow: inset 4px 0 0 #b3261e;
      }
      .notes {
        list-style: none;
        margin: 0.35rem 0 0;
        padding: 0;
      }
      .notes li {
        color: #8a1710;
        font-weight: 600;
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        justify-content: flex-end;
      }
      .badge.registered {
        background: #d4efdc;
        color: #14532d;
      }
      .badge.waitlisted {
        background: #e8e0f7;
        color: #3b1f73;
      }
      .badge.conflict {
        background: #8a1710;
        color: #fff;
      }
      .pending {
        background: #fff1c2;
        color: #6b4a00;
        border-radius: 0.6rem;
        padding: 0.4rem 0.7rem;
        font-weight: 600;
      }
      .warn {
        color: #8a1710;
        font-weight: 700;
      }
      .calendar .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin: 0.4rem 0;
      }
      .calendar a.small {
        font-size: 0.9rem;
      }
    `,
  ];

  protected override async refresh(): Promise<void> {
    const [me, sessions, pending] = await Promise.all([currentMe(), allSessions(), pendingChanges()]);
    this.me = me;
    this.agenda = new Map(sessions.map((x) => [x.id, x]));
    this.pending = me ? pending : 0;
    if (!me) this.removed.clear();
  }

  private rows(me: MeRecord): Row[] {
    const inPlan = new Set(me.schedule.sessions.map((x) => x.id));
    const gone = [...this.removed.values()].filter((x) => !inPlan.has(x.id));
    return [...me.schedule.sessions, ...gone].map((entry) => ({ entry, session: details(entry, this.agenda) }));
  }

  private async toggle(row: Row): Promise<void> {
    const on = !row.entry.viewerHasBookmarked;
    if (!on && !row.entry.viewerRegistration) {
      this.removed.set(row.entry.id, { ...row.entry, ...(row.session ?? {}), viewerHasBookmarked: false });
    }
    if (on) this.removed.delete(row.entry.id);
    await setBookmark(row.entry.id, on);
  }

  private async renewLink(): Promise<void> {
    this.renew = "busy";
    try {
      await renewCalendarUrl();
      this.renew = "renewed";
    } catch (error) {
      this.renew = error instanceof OfflineError ? "renewOffline" : error instanceof ApiError ? "renewFailed" : "renewFailed";
    }
  }

  private notes(row: Row, conflicts: Conflict[], titles: Map<string, string>): TemplateResult[] {
    const notes: TemplateResult[] = [];
    for (const c of conflicts) {
      const other = c.first.id === row.entry.id ? c.second.id : c.first.id;
      const title = titles.get(other) ?? other;
      const text =
        c.kind === "OVERLAP"
          ? s("overlap", { title })
          : s("tooFar", { title, minutes: Math.ceil(c.walkingMinutes ?? 0) });
      notes.push(html`<li data-conflict=${c.kind}>${text}</li>`);
    }
    return notes;
  }

  private row(row: Row, conflicts: Conflict[], titles: Map<string, string>): TemplateResult {
    const { entry, session } = row;
    const mine = conflicts.filter((c) => c.first.id === entry.id || c.second.id === entry.id);
    const status = entry.viewerRegistration;
    const badges = html`${mine.length ? html`<span class="badge conflict">${s("conflict")}</span>` : nothing}
    ${status === "REGISTERED" ? html`<span class="badge registered">${s("registered")}</span>` : nothing}
    ${status === "WAITLISTED" ? html`<span class="badge waitlisted">${s("waitlisted")}</span>` : nothing}`;
    const notes = this.notes(row, mine, titles);
    const note = html`<div>${badges}</div>
      ${notes.length ? html`<ul class="notes">${notes}</ul>` : nothing}`;
    return html`<li class="row ${mine.length ? "conflict" : ""}" data-session-id=${entry.id}>
      ${session
        ? sessionCard(session, { note })
        : html`<div class="card">${s("unknownSession", { id: entry.id })} ${note}</div>`}
      <div class="actions">
        <button aria-pressed=${entry.viewerHasBookmarked ? "true" : "false"} @click=${() => void this.toggle(row)}>
          <span aria-hidden="true">${entry.viewerHasBookmarked ? "★" : "☆"}</span> ${s("bookmark")}
        </button>
      </div>
    </li>`;
  }

  private days(rows: Row[], me: MeRecord): TemplateResult[] {
    const titles = new Map(rows.flatMap((r) => (r.session ? [[r.entry.id, pick(r.session.titleFr, r.session.titleEn)]] : [])));
    const known = rows
      .filter((r): r is Row & { session: SessionRecord } => r.session !== null)
      .sort((a, b) => a.session.startsAt.localeCompare(b.session.startsAt) || a.entry.id.localeCompare(b.entry.id));
    const byDay = new Map<string, Row[]>();
    for (const r of known) {
      const day = fairDay(r.session.startsAt);
      byDay.set(day, [...(byDay.get(day) ?? []), r]);
    }
    const unknown = rows.filter((r) => r.session === null);
    const conflicts = me.schedule.conflicts;
    const group = (heading: string, list: Row[]): TemplateResult => html`<section>
      <h2>${heading}</h2>
      <ul class="plan">
        ${list.map((r) => this.row(r, conflicts, titles))}
      </ul>
    </section>`;
    return [
      ...[...byDay].map(([day, list]) => group(dayName(day, lang()), list)),
      ...(unknown.length ? [group(s("otherDays"), unknown)] : []),
    ];
  }

  private calendar(me: MeRecord): TemplateResult {
    const renewMessage = this.renew === "idle" || this.renew === "busy" ? null : this.renew;
    return html`<section class="calendar" aria-labelledby="calendar-title">
      <h2 id="calendar-title">${s("calendar")}</h2>
      <p>${s("calendarHelp")}</p>
      <div class="row">
        <a class="button primary" href=${webcalUrl(me.calendarUrl)} data-testid="webcal">${s("subscribe")}</a>
        <button ?disabled=${this.renew === "busy"} @click=${() => void this.renewLink()}>${s("renew")}</button>
      </div>
      <p><a class="small" href=${me.calendarUrl} target="_blank" rel="noopener">${s("httpsLink")}</a></p>
      <p class="muted">${s("renewHelp")}</p>
      ${programmeCalendar()}
      ${renewMessage
        ? html`<p role=${renewMessage === "renewed" ? "status" : "alert"} class=${renewMessage === "renewed" ? "" : "error"}>
            ${s(renewMessage)}
          </p>`
        : nothing}
    </section>`;
  }

  override render(): TemplateResult {
    if (!signedIn()) {
      return html`<h1>${s("title")}</h1>
        <p>${s("anonymous")}</p>
        <a class="button primary" href="/signin?next=/schedule">${s("signIn")}</a>
        ${programmeCalendar()}`;
    }
    const me = this.me;
    if (!me) return html`<h1>${s("title")}</h1><p role="status">${s("loading")}</p>`;
    const rows = this.rows(me);
    const first = rows.find((r) => r.session)?.session;
    const conflicts = me.schedule.conflicts.length;
    return html`
      <h1>${s("title")}</h1>
      ${first ? html`<p class="tz muted">${s("times", { offset: offsetLabel(first.startsAt) })}</p>` : nothing}
      <p role="status" class=${this.pending ? "pending" : "visually-hidden"} data-testid="pending">
        ${this.pending === 0 ? "" : this.pending === 1 ? s("pending1") : s("pendingN", { n: this.pending })}
      </p>
      ${conflicts
        ? html`<p class="warn" data-testid="conflicts">
            ${conflicts === 1 ? s("conflicts1") : s("conflictsN", { n: conflicts })}
          </p>`
        : nothing}
      ${rows.length
        ? this.days(rows, me)
        : html`<p>${s("empty")}</p>
            <a class="button" href="/">${s("browse")}</a>`}
      <push-toggle></push-toggle>
      ${this.calendar(me)}
    `;
  }
}

customElements.define("schedule-screen", ScheduleScreen);
