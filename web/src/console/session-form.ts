// Move, retime or cancel one session, with a note for the people it tells (its
// speakers, bookmarkers, registrants). Pick the session, then change its room or
// times on the fair's clocks; cancelling asks first. A `changed` event out with the
// session as the server now has it.
import { html, css, nothing, type TemplateResult } from "lit";
import { keyed } from "lit/directives/keyed.js";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { graphql } from "../lib/api";
import { SESSION_FIELDS } from "../lib/agenda-sync";
import { clockTime, fairDay, instant } from "../lib/fair-time";
import { pick, strings } from "../lib/i18n";
import type { SessionRecord } from "../lib/model";
import { fairInstant, minutes } from "../roles/fair-clock";
import { formStyles } from "../roles/form-styles";
import { localProblem, problemBox, problemOf, type Problem } from "../roles/problem";
import { sessionItems, type RoomChoice } from "./choices";
import type { ConfirmDialog } from "./confirm-dialog";
import { sessionTimes } from "./session-times";
import "./confirm-dialog";
import "./pick-list";

const s = strings({
  fr: {
    pick: "Session à modifier",
    room: "Salle",
    note: "Note pour les personnes prévenues (facultatif)",
    save: "Enregistrer le changement",
    nothingChanged: "Rien n'a changé : choisissez une autre salle ou d'autres heures.",
    endAfterStart: "La fin doit venir après le début.",
    saved: "Session modifiée : « {title} ». Ses intervenants et son public sont prévenus.",
    cancelTitle: "Annuler la session",
    reason: "Raison de l'annulation (lue par le public)",
    cancel: "Annuler la session…",
    cancelHeading: "Annuler « {title} » ?",
    cancelMessage: "Ses intervenants, les inscrits et ceux qui l'ont en favori seront prévenus. Cela ne peut pas être défait.",
    cancelAction: "Oui, annuler la session",
    cancelled: "Session annulée : « {title} ».",
    isCancelled: "Cette session est annulée : elle ne peut plus changer.",
  },
  en: {
    pick: "Session to change",
    room: "Room",
    note: "Note for the people told (optional)",
    save: "Save the change",
    nothingChanged: "Nothing changed: choose another room or other times.",
    endAfterStart: "The end must come after the start.",
    saved: "Session changed: “{title}”. Its speakers and audience are told.",
    cancelTitle: "Cancel the session",
    reason: "Reason for cancelling (attendees will read it)",
    cancel: "Cancel the session…",
    cancelHeading: "Cancel “{title}”?",
    cancelMessage: "Its speakers, registrants and bookmarkers will be told. This cannot be undone.",
    cancelAction: "Yes, cancel the session",
    cancelled: "Session cancelled: “{title}”.",
    isCancelled: "This session is cancelled: it can no longer change.",
  },
});

const UPDATE = `mutation UpdateSession($id: ID!, $input: SessionChangeInput!) {
  updateSession(id: $id, input: $input) { ${SESSION_FIELDS} } }`;
const CANCEL = `mutation CancelSession($id: ID!, $reason: String!) {
  cancelSession(id: $id, reason: $reason) { ${SESSION_FIELDS} } }`;

export class SessionForm extends SalonElement {
  static override properties = {
    sessions: { attribute: false },
    rooms: { attribute: false },
    days: { attribute: false },
    chosen: { state: true },
    busy: { state: true },
    problem: { state: true },
    done: { state: true },
  };
  declare sessions: SessionRecord[];
  declare rooms: RoomChoice[];
  declare days: string[];
  declare chosen: string;
  declare busy: boolean;
  declare problem: Problem | null;
  declare done: string | null;
  /** What the server answered, until the offline copy catches up with it. */
  private answered = new Map<string, SessionRecord>();

  constructor() {
    super();
    this.sessions = [];
    this.rooms = [];
    this.days = [];
    this.chosen = "";
    this.busy = false;
    this.problem = null;
    this.done = null;
  }

  static override styles = [base, formStyles, css`h3 { margin-top: 1.25rem; }`];

  private current(): SessionRecord | null {
    const copy = this.sessions.find((x) => x.id === this.chosen) ?? null;
    const answer = this.answered.get(this.chosen);
    return answer && (!copy || answer.version >= copy.version) ? answer : copy;
  }

  private field(name: string): string {
    return (this.renderRoot.querySelector(`[name="${name}"]`) as HTMLInputElement).value.trim();
  }

  private choose(ids: string[]): void {
    this.chosen = ids[0] ?? "";
    this.problem = null;
    this.done = null;
  }

  private async act(work: () => Promise<SessionRecord>, message: (title: string) => string): Promise<void> {
    this.busy = true;
    try {
      const session = await work();
      this.answered.set(session.id, session);
      this.done = message(pick(session.titleFr, session.titleEn));
      this.dispatchEvent(new CustomEvent("changed", { detail: session, bubbles: true, composed: true }));
    } catch (error) {
      this.problem = problemOf(error);
    } finally {
      this.busy = false;
    }
  }

  private async save(event: Event, session: SessionRecord): Promise<void> {
    event.preventDefault();
    this.problem = null;
    this.done = null;
    const [roomId, day, start, end, note] = ["room", "day", "start", "end", "note"].map((x) => this.field(x));
    if (minutes(end) <= minutes(start)) {
      this.problem = localProblem(s("endAfterStart"));
      return;
    }
    const input: Record<string, string | null> = {};
    if (roomId && roomId !== session.room?.id) input.roomId = roomId;
    const [startsAt, endsAt] = [await fairInstant(day, start), await fairInstant(day, end)];
    if (instant(startsAt) !== instant(session.startsAt)) input.startsAt = startsAt;
    if (instant(endsAt) !== instant(session.endsAt)) input.endsAt = endsAt;
    if (!Object.keys(input).length) {
      this.problem = localProblem(s("nothingChanged"));
      return;
    }
    input.note = note || null;
    await this.act(async () => {
      const answer = await graphql<{ updateSession: SessionRecord }>(UPDATE, { id: session.id, input });
      return answer.updateSession;
    }, (title) => s("saved", { title }));
  }

  private async cancel(event: Event, session: SessionRecord): Promise<void> {
    event.preventDefault();
    this.problem = null;
    this.done = null;
    const title = pick(session.titleFr, session.titleEn);
    const dialog = this.renderRoot.querySelector("confirm-dialog") as ConfirmDialog;
    if (!(await dialog.ask(s("cancelHeading", { title }), s("cancelMessage"), s("cancelAction")))) return;
    const reason = this.field("reason");
    await this.act(async () => {
      const answer = await graphql<{ cancelSession: SessionRecord }>(CANCEL, { id: session.id, reason });
      return answer.cancelSession;
    }, (name) => s("cancelled", { title: name }));
  }

  private editor(session: SessionRecord): TemplateResult {
    if (session.status === "CANCELLED") return html`<p>${s("isCancelled")}</p>`;
    return html`<form @submit=${(e: Event) => void this.save(e, session)}>
        <label for="session-room">${s("room")}</label>
        <select id="session-room" name="room">
          ${session.room ? nothing : html`<option value="" selected>—</option>`}
          ${this.rooms.map(
            (r) => html`<option value=${r.id} ?selected=${r.id === session.room?.id}>
              ${r.hall ? `${r.name} · ${r.hall}` : r.name}
            </option>`,
          )}
        </select>
        ${sessionTimes(this.days, fairDay(session.startsAt), clockTime(session.startsAt), clockTime(session.endsAt))}
        <label for="session-note">${s("note")}</label>
        <textarea id="session-note" name="note" maxlength="1000"></textarea>
        <div class="actions">
          <button class="primary" type="submit" ?disabled=${this.busy}>${s("save")}</button>
        </div>
      </form>
      <h3>${s("cancelTitle")}</h3>
      <form @submit=${(e: Event) => void this.cancel(e, session)}>
        <label for="session-reason">${s("reason")}</label>
        <textarea id="session-reason" name="reason" required maxlength="1000"></textarea>
        <div class="actions">
          <button class="danger" type="submit" ?disabled=${this.busy}>${s("cancel")}</button>
        </div>
      </form>`;
  }

  override render(): TemplateResult {
    const session = this.current();
    return html`<pick-list
        .legend=${s("pick")}
        .items=${sessionItems(this.sessions)}
        .selected=${this.chosen ? [this.chosen] : []}
        @picked=${(e: CustomEvent<string[]>) => this.choose(e.detail)}
      ></pick-list>
      ${session ? keyed(`${session.id}:${session.version}`, this.editor(session)) : nothing}
      ${problemBox(this.problem)} ${this.done ? html`<p class="done" role="status">${this.done}</p>` : nothing}
      <confirm-dialog></confirm-dialog>`;
  }
}

customElements.define("session-form", SessionForm);
