// The speaker's screen: their sessions by day, and what the organisers moved since
// the phone last showed them ("Salle : A → B", "Horaire : 10:00 → 11:30"), kept
// highlighted until the speaker says they saw it. Live: a change notice or a fresher
// offline copy re-reads the sessions, no reload needed.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { ApiError, graphql, OfflineError } from "../lib/api";
import { SESSION_FIELDS } from "../lib/agenda-sync";
import { allSessions } from "../lib/db";
import { clockTime, dayName, fairDay, instant, offsetLabel, timeRange } from "../lib/fair-time";
import { lang, pick, strings } from "../lib/i18n";
import { onNotice } from "../lib/live-events";
import type { SessionRecord } from "../lib/model";
import { sessionCard, sessionCardStyles } from "../components/session-card";
import { signedInPerson, signInPrompt } from "../roles/sign-in-gate";
import { acknowledge, movedSinceSeen, type Moved, type Seen } from "../roles/speaker-seen";

const s = strings({
  fr: {
    title: "Mes interventions",
    signIn: "Cet écran montre les sessions d'un intervenant. Connectez-vous avec votre badge d'intervenant.",
    notSpeaker: "Votre compte n'est pas celui d'un intervenant : aucune session à montrer ici.",
    loading: "Chargement de vos sessions…",
    none: "Aucune session ne vous est attribuée pour l'instant.",
    offline: "Hors ligne : copie enregistrée sur ce téléphone.",
    times: "Heures de Casablanca ({offset})",
    movedTitle: "Changé depuis votre dernière visite",
    room: "Salle : {from} → {to}",
    time: "Horaire : {from} → {to}",
    seen: "J'ai pris note",
    seenLabel: "J'ai pris note du changement de « {title} »",
  },
  en: {
    title: "My sessions",
    signIn: "This screen shows a speaker's sessions. Sign in with your speaker badge.",
    notSpeaker: "Your account is not a speaker's: there are no sessions to show here.",
    loading: "Loading your sessions…",
    none: "No session is assigned to you yet.",
    offline: "Offline: the copy saved on this phone.",
    times: "Casablanca time ({offset})",
    movedTitle: "Changed since your last visit",
    room: "Room: {from} → {to}",
    time: "Time: {from} → {to}",
    seen: "Noted",
    seenLabel: "I have noted the change to “{title}”",
  },
});

const MINE = `query SpeakerSessions { me { id speaker { id sessions { ${SESSION_FIELDS} } } } }`;

type State = "loading" | "signed-out" | "not-speaker" | "ready";

export class SpeakerScreen extends SalonElement {
  static override properties = {
    state: { state: true },
    sessions: { state: true },
    moved: { state: true },
    offline: { state: true },
  };
  declare state: State;
  declare sessions: SessionRecord[];
  declare moved: Map<string, Moved>;
  declare offline: boolean;
  protected override watches = ["agenda", "me"];
  private stopNotices: (() => void) | null = null;
  /** Only the latest read is shown: an older answer arriving late must not undo it. */
  private reads = 0;

  constructor() {
    super();
    this.state = "loading";
    this.sessions = [];
    this.moved = new Map();
    this.offline = false;
  }

  static override styles = [
    base,
    sessionCardStyles,
    css`
      ol {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      .session.changed {
        border-left: 4px solid #c98a00;
      }
      .session.cancelled {
        border-left: 4px solid #8a1710;
      }
      li.moved .card {
        margin-bottom: 0;
        border-bottom-left-radius: 0;
        border-bottom-right-radius: 0;
      }
      .moves {
        margin: 0 0 0.75rem;
        padding: 0.6rem 0.9rem;
        border: 2px solid #c98a00;
        border-top: 0;
        border-radius: 0 0 0.8rem 0.8rem;
        background: #fff6d9;
        color: #4a3300;
      }
      .moves p {
        margin: 0.2rem 0;
        font-weight: 700;
      }
      .moves .lead {
        font-weight: 400;
        font-size: 0.9rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopNotices = onNotice((notice) => {
      if (notice.kind === "SESSION_CHANGED" || notice.kind === "SESSION_CANCELLED") void this.refresh();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopNotices?.();
  }

  protected override async refresh(): Promise<void> {
    const read = ++this.reads;
    const me = await signedInPerson();
    if (typeof me === "string") {
      if (read === this.reads) this.state = me;
      return;
    }
    if (!me.speaker) {
      if (read === this.reads) this.state = "not-speaker";
      return;
    }
    const { sessions, offline } = await this.load(me.speaker.id);
    const moved = await movedSinceSeen(sessions);
    if (read !== this.reads) return;
    this.sessions = sessions;
    this.moved = moved;
    this.offline = offline;
    this.state = "ready";
  }

  /** The server's list when it answers; offline, the sessions of the offline copy that name this speaker. */
  private async load(speakerId: string): Promise<{ sessions: SessionRecord[]; offline: boolean }> {
    let sessions: SessionRecord[];
    let offline = false;
    try {
      const answer = await graphql<{ me: { speaker: { sessions: SessionRecord[] } | null } | null }>(MINE);
      sessions = answer.me?.speaker?.sessions ?? [];
    } catch (error) {
      if (!(error instanceof OfflineError || error instanceof ApiError)) throw error;
      sessions = (await allSessions()).filter((x) => x.speakers.some((p) => p.id === speakerId));
      offline = true;
    }
    sessions.sort((a, b) => instant(a.startsAt) - instant(b.startsAt));
    return { sessions, offline };
  }

  private async seen(session: SessionRecord): Promise<void> {
    await acknowledge(session);
    const moved = new Map(this.moved);
    moved.delete(session.id);
    this.moved = moved;
  }

  private moves(session: SessionRecord, moved: Moved): TemplateResult {
    const title = pick(session.titleFr, session.titleEn);
    return html`<div class="moves" data-testid="moved">
      <p class="lead">${s("movedTitle")}</p>
      ${moved.place ? html`<p>${s("room", { from: moved.before.place, to: moved.now.place })}</p>` : nothing}
      ${moved.time ? html`<p>${s("time", timeChange(moved.before, moved.now))}</p>` : nothing}
      <button aria-label=${s("seenLabel", { title })} @click=${() => void this.seen(session)}>${s("seen")}</button>
    </div>`;
  }

  private list(): TemplateResult {
    if (!this.sessions.length) return html`<p>${s("none")}</p>`;
    const days = [...new Set(this.sessions.map((x) => fairDay(x.startsAt)))];
    return html`${days.map(
      (day) => html`<h2>${dayName(day, lang())}</h2>
        <ol>
          ${this.sessions
            .filter((x) => fairDay(x.startsAt) === day)
            .map((x) => {
              const moved = this.moved.get(x.id);
              return html`<li class=${moved ? "moved" : ""} data-session-id=${x.id}>
                ${sessionCard(x)} ${moved ? this.moves(x, moved) : nothing}
              </li>`;
            })}
        </ol>`,
    )}`;
  }

  override render(): TemplateResult {
    const heading = html`<h1>${s("title")}</h1>`;
    if (this.state === "signed-out") return signInPrompt(heading, s("signIn"));
    if (this.state === "not-speaker") return html`${heading}<p>${s("notSpeaker")}</p>`;
    if (this.state === "loading") return html`${heading}<p role="status">${s("loading")}</p>`;
    const first = this.sessions[0];
    return html`${heading}
      ${first ? html`<p class="tz muted">${s("times", { offset: offsetLabel(first.startsAt) })}</p>` : nothing}
      ${this.offline ? html`<p class="muted" role="status">${s("offline")}</p>` : nothing} ${this.list()}`;
  }
}

/** "10:00 → 11:30" when only the start moved (same length), else both ranges; the day too when it changed. */
function timeChange(before: Seen, now: Seen): { from: string; to: string } {
  const length = (x: Seen): number => instant(x.endsAt) - instant(x.startsAt);
  const sameLength = length(before) === length(now);
  const otherDay = fairDay(before.startsAt) !== fairDay(now.startsAt);
  const text = (x: Seen): string => {
    const time = sameLength ? clockTime(x.startsAt) : timeRange(x.startsAt, x.endsAt);
    return otherDay ? `${dayName(fairDay(x.startsAt), lang(), "short")} ${time}` : time;
  };
  return { from: text(before), to: text(now) };
}

customElements.define("speaker-screen", SpeakerScreen);
