// "Ask for a meeting": pick a day of the meeting plan, one of the slots in which both
// companies are free (me.commonFreeSlots), add a message, send. A slot taken meanwhile
// (CONFLICT) or too many waiting requests that day (RATE_LIMITED) are said plainly,
// and the free slots are read again. Properties in (profile, plan); `requested` out.
import { html, css, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { dayName, fairDay, offsetLabel, timeRange } from "../lib/fair-time";
import { lang, strings } from "../lib/i18n";
import { formStyles } from "../roles/form-styles";
import { localProblem, problemBox, problemOf, type Problem } from "../roles/problem";
import { w } from "./words";
import { freeSlots, requestMeeting, type Meeting, type MeetingPlan, type Profile, type Slot } from "./data";

const s = strings({
  fr: {
    day: "Jour",
    slots: "Créneaux libres pour vous deux",
    loading: "Recherche des créneaux libres…",
    noSlot: "Aucun créneau libre en commun ce jour-là : essayez un autre jour.",
    noDays: "Les rendez-vous B2B ne sont pas encore ouverts : l'organisation n'a pas fixé leurs jours.",
    message: "Message (facultatif)",
    messageHint: "Pourquoi les rencontrer, en une ou deux phrases.",
    send: "Envoyer la demande",
    sending: "Envoi…",
    pick: "Choisissez un créneau.",
    done: "Demande envoyée à {company} pour {day}, {time}. Vous serez averti de sa réponse.",
    mine: "Voir mes rendez-vous",
    CONFLICT: "Ce créneau n'est plus libre (pris entre-temps, ou plus aucune table) : choisissez-en un autre.",
    RATE_LIMITED: "Vous avez déjà {n} demandes sans réponse ce jour-là, le maximum : attendez des réponses ou retirez-en une.",
  },
  en: {
    day: "Day",
    slots: "Slots free for you both",
    loading: "Looking for free slots…",
    noSlot: "No slot free for you both that day: try another day.",
    noDays: "B2B meetings are not open yet: the organisers have not set their days.",
    message: "Message (optional)",
    messageHint: "Why you want to meet them, in a sentence or two.",
    send: "Send the request",
    sending: "Sending…",
    pick: "Pick a slot.",
    done: "Request sent to {company} for {day}, {time}. You will be told their answer.",
    mine: "See my meetings",
    CONFLICT: "That slot is not free any more (taken meanwhile, or no table left): pick another.",
    RATE_LIMITED: "You already have {n} requests waiting for an answer that day, the most allowed: wait for answers or withdraw one.",
  },
});

export class MeetingRequestForm extends SalonElement {
  static override properties = {
    profile: { attribute: false },
    plan: { attribute: false },
    day: { state: true },
    slots: { state: true },
    picked: { state: true },
    busy: { state: true },
    problem: { state: true },
    done: { state: true },
  };
  declare profile: Profile | null;
  declare plan: MeetingPlan | null;
  declare day: string;
  /** null while they are read. */
  declare slots: Slot[] | null;
  declare picked: string;
  declare busy: boolean;
  declare problem: Problem | null;
  declare done: Meeting | null;
  private reads = 0;

  constructor() {
    super();
    this.profile = this.plan = null;
    this.day = this.picked = "";
    this.slots = null;
    this.busy = false;
    this.problem = null;
    this.done = null;
  }

  static override styles = [
    base,
    formStyles,
    css`
      .days { display: flex; flex-wrap: wrap; gap: 0.4rem; }
      .slots { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: 0 0.5rem; }
    `,
  ];

  override willUpdate(changed: Map<string, unknown>): void {
    if ((changed.has("plan") || changed.has("profile")) && this.plan && this.profile && !this.day) {
      // The first day whose meetings are not over, by the phone's clock (the server has the last word).
      const ahead = this.plan.days.find((d) => Date.parse(d.closesAt) > Date.now());
      const first = ahead ?? this.plan.days[0];
      if (first) void this.chooseDay(first.day);
    }
  }

  private async chooseDay(day: string): Promise<void> {
    this.day = day;
    this.picked = "";
    this.slots = null;
    const read = ++this.reads;
    try {
      const slots = await freeSlots(this.profile!.id, day);
      if (read === this.reads) this.slots = slots;
    } catch (error) {
      if (read !== this.reads) return;
      this.slots = [];
      this.problem = problemOf(error);
    }
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    this.problem = null;
    if (!this.picked) {
      this.problem = localProblem(s("pick"));
      return;
    }
    const message = this.renderRoot.querySelector<HTMLTextAreaElement>("#message")?.value.trim() || null;
    this.busy = true;
    try {
      this.done = await requestMeeting(this.profile!.id, this.picked, message);
      this.dispatchEvent(new CustomEvent("requested", { detail: this.done, bubbles: true, composed: true }));
    } catch (error) {
      this.problem = problemOf(error);
      if (this.problem.code === "CONFLICT") {
        const problem = this.problem;
        await this.chooseDay(this.day);
        this.problem = problem;
      }
    } finally {
      this.busy = false;
    }
  }

  private slotList(): TemplateResult {
    if (this.slots === null) return html`<p role="status">${s("loading")}</p>`;
    if (!this.slots.length) return html`<p>${s("noSlot")}</p>`;
    return html`<fieldset>
      <legend>${s("slots")}</legend>
      <p class="hint">${w("times", { offset: offsetLabel(this.slots[0].startsAt) })}</p>
      <div class="slots">
        ${this.slots.map(
          (slot) => html`<label class="check">
            <input type="radio" name="slot" value=${slot.startsAt} .checked=${this.picked === slot.startsAt}
              @change=${() => (this.picked = slot.startsAt)} />
            ${timeRange(slot.startsAt, slot.endsAt)}
          </label>`,
        )}
      </div>
    </fieldset>`;
  }

  override render(): TemplateResult {
    const plan = this.plan;
    if (this.done) {
      const meeting = this.done;
      return html`<p class="done" role="status">
          ${s("done", {
            company: this.profile?.company ?? "",
            day: dayName(fairDay(meeting.startsAt), lang()),
            time: timeRange(meeting.startsAt, meeting.endsAt),
          })}
        </p>
        <a class="button primary" href="/b2b">${s("mine")}</a>`;
    }
    if (!plan || !plan.days.length) return html`<p>${s("noDays")}</p>`;
    const headlines = {
      CONFLICT: s("CONFLICT"),
      RATE_LIMITED: s("RATE_LIMITED", { n: plan.requestsPerDay }),
    };
    return html`<form @submit=${(e: Event) => void this.submit(e)} novalidate>
      <div class="days" role="group" aria-label=${s("day")}>
        ${plan.days.map(
          (d) => html`<button type="button" aria-pressed=${d.day === this.day ? "true" : "false"}
            @click=${() => void this.chooseDay(d.day)}>${dayName(d.day, lang(), "short")}</button>`,
        )}
      </div>
      ${this.slotList()}
      <label for="message">${s("message")}</label>
      <p class="hint" id="message-hint">${s("messageHint")}</p>
      <textarea id="message" maxlength="500" aria-describedby="message-hint"></textarea>
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy || !this.slots?.length}>
          ${this.busy ? s("sending") : s("send")}
        </button>
      </div>
      ${problemBox(this.problem, headlines)}
    </form>`;
  }
}

customElements.define("meeting-request-form", MeetingRequestForm);
