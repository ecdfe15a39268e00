// My B2B meetings: the requests waiting for my answer (Accept, or Decline with a
// reason), then every meeting by day with its status, the other company, and once
// accepted its table with a link to it on the map; cancel a live one, say after its
// slot whether it took place. A MEETING_* notice reads the list again, live.
// Opens offline from the copy kept on the phone.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { dayName, fairDay, instant, offsetLabel, timeRange } from "../lib/fair-time";
import { lang, strings } from "../lib/i18n";
import { onNotice } from "../lib/live-events";
import { answerMeeting, myMeetings, storedMeetings, type Answer, type Meeting, type MyMeetings } from "../b2b/data";
import { b2bNav, b2bStyles, outcomeName, statusBadge, w } from "../b2b/words";
import { formStyles } from "../roles/form-styles";
import { problemBox, problemOf, type Problem } from "../roles/problem";
import { signedInPerson, signInPrompt } from "../roles/sign-in-gate";

const s = strings({
  fr: {
    incoming: "Demandes reçues",
    noIncoming: "Aucune demande en attente de votre réponse.",
    all: "Tous mes rendez-vous",
    none: "Aucun rendez-vous pour l'instant : trouvez des entreprises à rencontrer.",
    noOther: "Aucun autre rendez-vous pour l'instant : trouvez des entreprises à rencontrer.",
    find: "Trouver des entreprises",
    loading: "Chargement des rendez-vous…",
    stale: "Hors ligne : voici les rendez-vous tels que ce téléphone les a vus.",
    with: "Avec {company}",
    sent: "Vous avez fait la demande",
    received: "Demande reçue",
    table: "Table {n}",
    onMap: "Voir la table sur le plan",
    accept: "Accepter",
    decline: "Refuser",
    cancel: "Annuler le rendez-vous",
    withdraw: "Retirer la demande",
    reason: "Motif (facultatif, l'autre entreprise le lira)",
    confirmDecline: "Confirmer le refus",
    confirmCancel: "Confirmer l'annulation",
    back: "Retour",
    happened: "Le rendez-vous a eu lieu",
    noShow: "L'autre entreprise n'est pas venue",
    why: "Motif : {reason}",
    CONFLICT: "Ce n'est plus possible : le créneau est pris, ou le rendez-vous a changé entre-temps.",
    RATE_LIMITED: "Trop de demandes : patientez un peu.",
    profile: "Voir le profil",
  },
  en: {
    incoming: "Requests received",
    noIncoming: "No request waiting for your answer.",
    all: "All my meetings",
    none: "No meetings yet: find companies to meet.",
    noOther: "No other meetings yet: find companies to meet.",
    find: "Find companies",
    loading: "Loading the meetings…",
    stale: "Offline: these are the meetings as this phone last saw them.",
    with: "With {company}",
    sent: "You asked for it",
    received: "Request received",
    table: "Table {n}",
    onMap: "See the table on the map",
    accept: "Accept",
    decline: "Decline",
    cancel: "Cancel the meeting",
    withdraw: "Withdraw the request",
    reason: "Reason (optional, the other company will read it)",
    confirmDecline: "Confirm the decline",
    confirmCancel: "Confirm the cancellation",
    back: "Back",
    happened: "The meeting took place",
    noShow: "The other company did not come",
    why: "Reason: {reason}",
    CONFLICT: "Not possible any more: the slot is taken, or the meeting changed meanwhile.",
    RATE_LIMITED: "Too many requests: wait a little.",
    profile: "See the profile",
  },
});

type State = "loading" | "signed-out" | "offline" | "ready";
/** A decline or a cancel waits for its reason in the card. */
type Asking = { id: string; kind: "decline" | "cancel" } | null;

const MEETING_KINDS = new Set([
  "MEETING_REQUESTED",
  "MEETING_ACCEPTED",
  "MEETING_DECLINED",
  "MEETING_CANCELLED",
  "MEETING_REMINDER",
]);

export class MeetingsScreen extends SalonElement {
  static override properties = {
    state: { state: true },
    mine: { state: true },
    stale: { state: true },
    asking: { state: true },
    busy: { state: true },
    problem: { state: true },
  };
  declare state: State;
  declare mine: MyMeetings | null;
  /** Shown from the phone's copy: the network did not answer. */
  declare stale: boolean;
  declare asking: Asking;
  declare busy: string | null;
  declare problem: { id: string; problem: Problem } | null;
  protected override watches = ["me", "b2b"];
  private stopNotices: (() => void) | null = null;
  private reads = 0;

  constructor() {
    super();
    this.state = "loading";
    this.mine = null;
    this.stale = false;
    this.asking = null;
    this.busy = null;
    this.problem = null;
  }

  static override styles = [
    base,
    formStyles,
    b2bStyles,
    css`
      article.closed { opacity: 0.75; }
      article.incoming { border-left: 5px solid var(--brand); }
      .when { font-weight: 700; }
      .message { white-space: pre-line; margin: 0.3rem 0; }
      .actions { margin-top: 0.4rem; }
      ol { list-style: none; padding: 0; margin: 0; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    // Someone asked, answered or cancelled: read the list again, without a reload.
    this.stopNotices = onNotice((notice) => {
      if (MEETING_KINDS.has(notice.kind)) void this.refresh();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopNotices?.();
  }

  protected override async refresh(part?: string): Promise<void> {
    const read = ++this.reads;
    const me = await signedInPerson();
    if (read !== this.reads) return;
    if (typeof me === "string") {
      this.state = me;
      return;
    }
    // An answer given here is kept already ("b2b"): show it, no second request.
    if (part === "b2b" || !this.mine) {
      const kept = await storedMeetings();
      if (read !== this.reads) return;
      if (kept) this.show(kept, this.stale);
      if (part === "b2b") return;
    }
    try {
      const { mine, fresh } = await myMeetings();
      if (read !== this.reads) return;
      if (mine) this.show(mine, !fresh);
      else if (!this.mine) this.state = "offline";
    } catch (error) {
      if (read !== this.reads) return;
      this.problem = { id: "", problem: problemOf(error) };
      this.state = this.mine ? "ready" : "offline";
    }
  }

  private show(mine: MyMeetings, stale: boolean): void {
    this.mine = mine;
    this.stale = stale;
    this.state = "ready";
  }

  private async answer(meeting: Meeting, answer: Answer): Promise<void> {
    this.busy = meeting.id;
    this.problem = null;
    try {
      await answerMeeting(meeting.id, answer);
      this.asking = null;
    } catch (error) {
      this.problem = { id: meeting.id, problem: problemOf(error) };
      // Refused because it changed meanwhile: show how it is now.
      if (this.problem.problem.code === "CONFLICT") void this.refresh();
    } finally {
      this.busy = null;
    }
  }

  private reasonOf(meeting: Meeting): string | null {
    const field = this.renderRoot.querySelector<HTMLTextAreaElement>(`#reason-${CSS.escape(meeting.id)}`);
    return field?.value.trim() || null;
  }

  private reasonForm(meeting: Meeting, kind: "decline" | "cancel"): TemplateResult {
    const id = `reason-${meeting.id}`;
    const busy = this.busy === meeting.id;
    return html`<form
      @submit=${(e: Event) => {
        e.preventDefault();
        void this.answer(meeting, { kind, reason: this.reasonOf(meeting) });
      }}
    >
      <label for=${id}>${s("reason")}</label>
      <textarea id=${id} maxlength="500"></textarea>
      <div class="actions">
        <button class="danger" type="submit" ?disabled=${busy}>
          ${kind === "decline" ? s("confirmDecline") : s("confirmCancel")}
        </button>
        <button type="button" @click=${() => (this.asking = null)}>${s("back")}</button>
      </div>
    </form>`;
  }

  private actions(meeting: Meeting, mineId: string): TemplateResult | typeof nothing {
    if (this.asking?.id === meeting.id) return this.reasonForm(meeting, this.asking.kind);
    const busy = this.busy === meeting.id;
    const invited = meeting.invitee.id === mineId;
    const ask = (kind: "decline" | "cancel"): void => {
      this.asking = { id: meeting.id, kind };
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLTextAreaElement>(`#reason-${CSS.escape(meeting.id)}`)?.focus(),
      );
    };
    const buttons: TemplateResult[] = [];
    if (meeting.status === "REQUESTED" && invited) {
      buttons.push(
        html`<button class="primary" ?disabled=${busy} @click=${() => void this.answer(meeting, { kind: "accept" })}>
          ${s("accept")}
        </button>`,
        html`<button ?disabled=${busy} @click=${() => ask("decline")}>${s("decline")}</button>`,
      );
    } else if (meeting.status === "REQUESTED") {
      buttons.push(html`<button ?disabled=${busy} @click=${() => ask("cancel")}>${s("withdraw")}</button>`);
    } else if (meeting.status === "ACCEPTED") {
      // The phone's clock only decides what to offer; the server decides what it takes.
      const begun = Date.now() >= instant(meeting.startsAt);
      const over = Date.now() >= instant(meeting.endsAt);
      if (!over) buttons.push(html`<button ?disabled=${busy} @click=${() => ask("cancel")}>${s("cancel")}</button>`);
      if (begun && !meeting.outcome) {
        buttons.push(
          html`<button ?disabled=${busy} @click=${() => void this.answer(meeting, { kind: "outcome", outcome: "HAPPENED" })}>
            ${s("happened")}
          </button>`,
          html`<button ?disabled=${busy} @click=${() => void this.answer(meeting, { kind: "outcome", outcome: "NO_SHOW" })}>
            ${s("noShow")}
          </button>`,
        );
      }
    }
    return buttons.length ? html`<div class="actions">${buttons}</div>` : nothing;
  }

  private withWhom(meeting: Meeting, invited: boolean): string {
    return s("with", { company: invited ? meeting.requester.company : meeting.invitee.company });
  }

  /** `withDay`: in the incoming list, which has no day headings (its titles are h3, not h4). */
  private card(meeting: Meeting, mineId: string, withDay: boolean): TemplateResult {
    const invited = meeting.invitee.id === mineId;
    const other = invited ? meeting.requester : meeting.invitee;
    const closed = meeting.status === "DECLINED" || meeting.status === "CANCELLED";
    const waiting = meeting.status === "REQUESTED" && invited;
    const day = withDay ? `${dayName(fairDay(meeting.startsAt), lang(), "short")} · ` : "";
    const problem = this.problem?.id === meeting.id ? this.problem.problem : null;
    return html`<li>
      <article class="card ${closed ? "closed" : ""} ${waiting ? "incoming" : ""}" data-meeting-id=${meeting.id}
        aria-labelledby="m-${meeting.id}">
        <div class="line">
          <span class="when">${day}${timeRange(meeting.startsAt, meeting.endsAt)}</span>
          ${statusBadge(meeting.status)}
          ${meeting.outcome ? html`<span class="badge">${outcomeName(meeting.outcome)}</span>` : nothing}
          <span class="muted">${invited ? s("received") : s("sent")}</span>
        </div>
        ${withDay
          ? html`<h3 id="m-${meeting.id}">${this.withWhom(meeting, invited)}</h3>`
          : html`<h4 id="m-${meeting.id}">${this.withWhom(meeting, invited)}</h4>`}
        ${meeting.table
          ? html`<p class="line">
              <strong data-testid="table">${s("table", { n: meeting.table.number })}</strong>
              <a href="/map?table=${encodeURIComponent(meeting.table.id)}">${s("onMap")}</a>
            </p>`
          : nothing}
        ${meeting.message ? html`<p class="message">«\u00a0${meeting.message}\u00a0»</p>` : nothing}
        ${meeting.reason ? html`<p class="message">${s("why", { reason: meeting.reason })}</p>` : nothing}
        <p><a href="/b2b/company/${encodeURIComponent(other.id)}">${s("profile")}</a></p>
        ${this.actions(meeting, mineId)}
        ${problemBox(problem, { CONFLICT: s("CONFLICT"), RATE_LIMITED: s("RATE_LIMITED") })}
      </article>
    </li>`;
  }

  private lists(mine: MyMeetings): TemplateResult {
    const mineId = mine.profile?.id ?? "";
    const incoming = mine.meetings.filter((m) => m.status === "REQUESTED" && m.invitee.id === mineId);
    const others = mine.meetings.filter((m) => !incoming.includes(m));
    const days = [...new Set(others.map((m) => fairDay(m.startsAt)))];
    const first = mine.meetings[0];
    return html`
      ${first ? html`<p class="tz muted">${w("times", { offset: offsetLabel(first.startsAt) })}</p>` : nothing}
      <section aria-labelledby="incoming-title">
        <h2 id="incoming-title">${s("incoming")} (${incoming.length})</h2>
        ${incoming.length
          ? html`<ol data-testid="incoming">${incoming.map((m) => this.card(m, mineId, true))}</ol>`
          : html`<p class="muted">${s("noIncoming")}</p>`}
      </section>
      <section aria-labelledby="all-title">
        <h2 id="all-title">${s("all")}</h2>
        ${others.length
          ? days.map(
              (day) => html`<h3>${dayName(day, lang())}</h3>
                <ol data-testid="meetings">
                  ${others.filter((m) => fairDay(m.startsAt) === day).map((m) => this.card(m, mineId, false))}
                </ol>`,
            )
          : html`<p>${incoming.length ? s("noOther") : s("none")}</p>
              <a class="button primary" href="/b2b/companies">${s("find")}</a>`}
      </section>
    `;
  }

  override render(): TemplateResult {
    const heading = html`<h1>${w("area")}</h1>`;
    switch (this.state) {
      case "signed-out":
        return signInPrompt(heading, w("signIn"));
      case "offline":
        return html`${heading}${b2bNav("/b2b")}<p role="status">${w("offline")}</p>`;
      case "loading":
        return html`${heading}${b2bNav("/b2b")}<p role="status">${s("loading")}</p>`;
    }
    const mine = this.mine as MyMeetings;
    return html`${heading}${b2bNav("/b2b")}
      ${this.stale ? html`<p class="muted" role="status">${s("stale")}</p>` : nothing}
      ${this.problem && !this.problem.id ? problemBox(this.problem.problem) : nothing}
      ${mine.profile
        ? this.lists(mine)
        : html`<p>${w("noProfile")}</p>
            <a class="button primary" href="/b2b/profile">${w("makeProfile")}</a>`}`;
  }
}

customElements.define("meetings-screen", MeetingsScreen);
