// The stand's form to schedule a demo: title, booth, fair day, start and end on the
// fair's clocks. Properties in (exhibitor, booths, days), a `scheduled` event out
// with the new demo; the server's refusals are shown under the form.
import { html, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { graphql } from "../lib/api";
import { SESSION_FIELDS } from "../lib/agenda-sync";
import { dayName, timeRange } from "../lib/fair-time";
import { lang, pick, strings } from "../lib/i18n";
import type { SessionRecord } from "../lib/model";
import { fairInstant, minutes } from "./fair-clock";
import { formStyles } from "./form-styles";
import { localProblem, problemBox, problemOf, type Problem } from "./problem";

const s = strings({
  fr: {
    title: "Titre de la démo",
    booth: "Stand",
    day: "Jour",
    start: "Début",
    end: "Fin",
    timesHint: "Heures de Casablanca, celles des horloges du salon.",
    submit: "Programmer la démo",
    sending: "Envoi…",
    endAfterStart: "La fin doit venir après le début.",
    done: "Démo programmée : « {title} », {day}, {time}.",
  },
  en: {
    title: "Demo title",
    booth: "Booth",
    day: "Day",
    start: "Start",
    end: "End",
    timesHint: "Casablanca time, as the fair's clocks read.",
    submit: "Schedule the demo",
    sending: "Sending…",
    endAfterStart: "The end must come after the start.",
    done: "Demo scheduled: “{title}”, {day}, {time}.",
  },
});

const SCHEDULE = `mutation ScheduleDemo($input: DemoInput!) { scheduleDemo(input: $input) { ${SESSION_FIELDS} } }`;

export interface BoothChoice {
  id: string;
  code: string;
  hall: { name: string };
}

export class DemoForm extends SalonElement {
  static override properties = {
    exhibitorId: { attribute: false },
    booths: { attribute: false },
    days: { attribute: false },
    problem: { state: true },
    done: { state: true },
    busy: { state: true },
  };
  declare exhibitorId: string;
  declare booths: BoothChoice[];
  declare days: string[];
  declare problem: Problem | null;
  declare done: string | null;
  declare busy: boolean;

  constructor() {
    super();
    this.exhibitorId = "";
    this.booths = [];
    this.days = [];
    this.problem = null;
    this.done = null;
    this.busy = false;
  }

  static override styles = [base, formStyles];

  private field(name: string): string {
    return (this.renderRoot.querySelector(`[name="${name}"]`) as HTMLInputElement | HTMLSelectElement).value;
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    this.problem = null;
    this.done = null;
    const [title, boothId, day, start, end] = ["title", "booth", "day", "start", "end"].map((x) => this.field(x));
    if (minutes(end) <= minutes(start)) {
      this.problem = localProblem(s("endAfterStart"));
      return;
    }
    this.busy = true;
    try {
      const input = {
        exhibitorId: this.exhibitorId,
        title,
        boothId,
        startsAt: await fairInstant(day, start),
        endsAt: await fairInstant(day, end),
      };
      const { scheduleDemo: demo } = await graphql<{ scheduleDemo: SessionRecord }>(SCHEDULE, { input });
      this.done = s("done", {
        title: pick(demo.titleFr, demo.titleEn),
        day: dayName(day, lang()),
        time: timeRange(demo.startsAt, demo.endsAt),
      });
      (this.renderRoot.querySelector("form") as HTMLFormElement).reset();
      this.dispatchEvent(new CustomEvent("scheduled", { detail: demo, bubbles: true, composed: true }));
    } catch (error) {
      this.problem = problemOf(error);
    } finally {
      this.busy = false;
    }
  }

  override render(): TemplateResult {
    return html`<form @submit=${(e: Event) => void this.submit(e)}>
      <label for="demo-title">${s("title")}</label>
      <input id="demo-title" name="title" type="text" required maxlength="200" autocomplete="off" />
      <label for="demo-booth">${s("booth")}</label>
      <select id="demo-booth" name="booth" required>
        ${this.booths.map((b) => html`<option value=${b.id}>${b.code} · ${b.hall.name}</option>`)}
      </select>
      <label for="demo-day">${s("day")}</label>
      <select id="demo-day" name="day" required>
        ${this.days.map((day) => html`<option value=${day}>${dayName(day, lang())}</option>`)}
      </select>
      <div class="row">
        <div>
          <label for="demo-start">${s("start")}</label>
          <input id="demo-start" name="start" type="time" required aria-describedby="demo-times" />
        </div>
        <div>
          <label for="demo-end">${s("end")}</label>
          <input id="demo-end" name="end" type="time" required aria-describedby="demo-times" />
        </div>
      </div>
      <p class="hint" id="demo-times">${s("timesHint")}</p>
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? s("sending") : s("submit")}</button>
      </div>
      ${problemBox(this.problem)}
      ${this.done ? html`<p class="done" role="status">${this.done}</p>` : ""}
    </form>`;
  }
}

customElements.define("demo-form", DemoForm);
