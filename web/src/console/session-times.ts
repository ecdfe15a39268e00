// A session's day, start and end on the fair's clocks, as form fields. Moving the
// start keeps the session's length (the end follows), as the server does when only
// `startsAt` is sent; the end can then be set apart.
import { html, type TemplateResult } from "lit";
import { dayName } from "../lib/fair-time";
import { lang, strings } from "../lib/i18n";
import { clockOf, minutes } from "../roles/fair-clock";

const s = strings({
  fr: { day: "Jour", start: "Début", end: "Fin", hint: "Heures de Casablanca, celles des horloges du salon." },
  en: { day: "Day", start: "Start", end: "End", hint: "Casablanca time, as the fair's clocks read." },
});

function followStart(event: Event): void {
  const start = event.target as HTMLInputElement;
  const end = start.form?.elements.namedItem("end") as HTMLInputElement | null;
  const previous = start.dataset.previous ?? "";
  if (end?.value && start.value && previous) {
    end.value = clockOf(minutes(end.value) + minutes(start.value) - minutes(previous));
  }
  start.dataset.previous = start.value;
}

export function sessionTimes(days: string[], day: string, start: string, end: string): TemplateResult {
  return html`<label for="session-day">${s("day")}</label>
    <select id="session-day" name="day">
      ${days.map((d) => html`<option value=${d} ?selected=${d === day}>${dayName(d, lang())}</option>`)}
    </select>
    <div class="row">
      <div>
        <label for="session-start">${s("start")}</label>
        <input
          id="session-start"
          name="start"
          type="time"
          required
          value=${start}
          data-previous=${start}
          aria-describedby="session-times-hint"
          @change=${followStart}
        />
      </div>
      <div>
        <label for="session-end">${s("end")}</label>
        <input id="session-end" name="end" type="time" required value=${end} aria-describedby="session-times-hint" />
      </div>
    </div>
    <p class="hint" id="session-times-hint">${s("hint")}</p>`;
}
