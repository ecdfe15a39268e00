// The meeting plan, as organisers set it: which fair days meetings run and their
// hours (the fair's clocks), the slot length, the waiting requests one person may
// have per day, and the number of tables (the server lays them out in the B2B area).
// Properties in (plan, fair days); a `planned` event out with the saved plan.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { clockTime, dayName } from "../lib/fair-time";
import { lang, strings } from "../lib/i18n";
import { setMeetingPlan, type MeetingPlan } from "../b2b/data";
import { formStyles } from "../roles/form-styles";
import { minutes } from "../roles/fair-clock";
import { localProblem, problemBox, problemOf, type Problem } from "../roles/problem";

const s = strings({
  fr: {
    days: "Jours et heures des rendez-vous",
    daysHint: "Heures de Casablanca, celles des horloges du salon.",
    opens: "Ouverture",
    closes: "Fermeture",
    slot: "Durée d'un créneau (minutes)",
    requests: "Demandes en attente par personne et par jour",
    tables: "Nombre de tables",
    save: "Enregistrer le plan",
    saving: "Enregistrement…",
    noDay: "Cochez au moins un jour.",
    order: "{day} : la fermeture doit venir après l'ouverture.",
    done: "Plan enregistré : {days} jour(s), créneaux de {slot} min, {tables} table(s).",
    CONFLICT: "Des rendez-vous acceptés ou en attente ne tiendraient plus dans ce plan : gardez-les dedans, ou annulez-les d'abord.",
  },
  en: {
    days: "Meeting days and hours",
    daysHint: "Casablanca time, as the fair's clocks read.",
    opens: "Opens",
    closes: "Closes",
    slot: "Slot length (minutes)",
    requests: "Waiting requests per person and day",
    tables: "Number of tables",
    save: "Save the plan",
    saving: "Saving…",
    noDay: "Tick at least one day.",
    order: "{day}: closing must come after opening.",
    done: "Plan saved: {days} day(s), {slot}-minute slots, {tables} table(s).",
    CONFLICT: "Accepted or waiting meetings would no longer fit this plan: keep them in, or cancel them first.",
  },
});

interface DayRow {
  day: string;
  on: boolean;
  opens: string;
  closes: string;
}

export class MeetingPlanForm extends SalonElement {
  static override properties = {
    plan: { attribute: false },
    fairDays: { attribute: false },
    rows: { state: true },
    busy: { state: true },
    problem: { state: true },
    done: { state: true },
  };
  declare plan: MeetingPlan | null;
  declare fairDays: string[];
  declare rows: DayRow[];
  declare busy: boolean;
  declare problem: Problem | null;
  declare done: string | null;

  constructor() {
    super();
    this.plan = null;
    this.fairDays = [];
    this.rows = [];
    this.busy = false;
    this.problem = null;
    this.done = null;
  }

  static override styles = [
    base,
    formStyles,
    css`
      .day { display: grid; grid-template-columns: 1fr 1fr; gap: 0 0.5rem; margin-bottom: 0.4rem; }
      .day label.check { grid-column: 1 / -1; font-weight: 600; }
      .day div label { margin: 0; font-size: 0.85rem; font-weight: normal; }
      .numbers input { max-width: 8rem; }
    `,
  ];

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("plan") || changed.has("fairDays")) this.rows = this.dayRows();
  }

  /** Every fair day and every planned one; with no plan yet, each fair day ticked. */
  private dayRows(): DayRow[] {
    const planned = new Map((this.plan?.days ?? []).map((d) => [d.day, d]));
    const days = [...new Set([...this.fairDays, ...planned.keys()])].sort();
    const fresh = planned.size === 0;
    return days.map((day) => {
      const set = planned.get(day);
      return set
        ? { day, on: true, opens: clockTime(set.opensAt), closes: clockTime(set.closesAt) }
        : { day, on: fresh, opens: "10:00", closes: "17:30" };
    });
  }

  private edit(index: number, part: Partial<DayRow>): void {
    this.rows = this.rows.map((row, i) => (i === index ? { ...row, ...part } : row));
    this.done = null;
  }

  private number(name: string): number {
    return Number((this.renderRoot.querySelector(`[name="${name}"]`) as HTMLInputElement).value);
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    this.problem = null;
    this.done = null;
    const days = this.rows.filter((r) => r.on);
    if (!days.length) {
      this.problem = localProblem(s("noDay"));
      return;
    }
    const wrong = days.find((r) => !r.opens || !r.closes || minutes(r.closes) <= minutes(r.opens));
    if (wrong) {
      this.problem = localProblem(s("order", { day: dayName(wrong.day, lang()) }));
      return;
    }
    this.busy = true;
    try {
      const plan = await setMeetingPlan({
        days: days.map((r) => ({ day: r.day, opens: r.opens, closes: r.closes })),
        slotMinutes: this.number("slot"),
        requestsPerDay: this.number("requests"),
        tableCount: this.number("tables"),
      });
      this.done = s("done", { days: plan.days.length, slot: plan.slotMinutes, tables: plan.tables.length });
      this.dispatchEvent(new CustomEvent("planned", { detail: plan, bubbles: true, composed: true }));
    } catch (error) {
      this.problem = problemOf(error);
    } finally {
      this.busy = false;
    }
  }

  private dayRow(row: DayRow, index: number): TemplateResult {
    const id = `plan-${row.day}`;
    return html`<div class="day">
      <label class="check">
        <input type="checkbox" .checked=${row.on} @change=${(e: Event) => this.edit(index, { on: (e.target as HTMLInputElement).checked })} />
        ${dayName(row.day, lang())}
      </label>
      <div>
        <label for="${id}-opens">${s("opens")}</label>
        <input id="${id}-opens" type="time" step="300" .value=${row.opens} ?disabled=${!row.on}
          aria-describedby="plan-hint" @change=${(e: Event) => this.edit(index, { opens: (e.target as HTMLInputElement).value })} />
      </div>
      <div>
        <label for="${id}-closes">${s("closes")}</label>
        <input id="${id}-closes" type="time" step="300" .value=${row.closes} ?disabled=${!row.on}
          aria-describedby="plan-hint" @change=${(e: Event) => this.edit(index, { closes: (e.target as HTMLInputElement).value })} />
      </div>
    </div>`;
  }

  override render(): TemplateResult {
    const plan = this.plan;
    return html`<form @submit=${(e: Event) => void this.submit(e)} novalidate>
      <fieldset>
        <legend>${s("days")}</legend>
        <p class="hint" id="plan-hint">${s("daysHint")}</p>
        ${this.rows.map((row, i) => this.dayRow(row, i))}
      </fieldset>
      <div class="numbers">
        <label for="plan-slot">${s("slot")}</label>
        <input id="plan-slot" name="slot" type="number" min="10" max="120" step="5" required .value=${String(plan?.slotMinutes ?? 30)} />
        <label for="plan-requests">${s("requests")}</label>
        <input id="plan-requests" name="requests" type="number" min="1" max="200" required .value=${String(plan?.requestsPerDay ?? 20)} />
        <label for="plan-tables">${s("tables")}</label>
        <input id="plan-tables" name="tables" type="number" min="0" max="200" required .value=${String(plan?.tables.length ?? 10)} />
      </div>
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? s("saving") : s("save")}</button>
      </div>
      ${problemBox(this.problem, { CONFLICT: s("CONFLICT") })}
      ${this.done ? html`<p class="done" role="status">${this.done}</p>` : nothing}
    </form>`;
  }
}

customElements.define("meeting-plan-form", MeetingPlanForm);
