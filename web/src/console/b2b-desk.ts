// The B2B desk: the meetings of one day (organisers' `meetings(day)`), in slot
// order, with their table, both companies, status and outcome; how busy each table is
// that day (`tableOccupancy`); and the meeting plan form under it. Loads when first shown (the console keeps its panels in the page).
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { graphql } from "../lib/api";
import { dayName, offsetLabel, timeRange } from "../lib/fair-time";
import { lang, strings } from "../lib/i18n";
import { MEETING_FIELDS, meetingPlan, type Meeting, type MeetingPlan } from "../b2b/data";
import { b2bStyles, outcomeName, statusBadge } from "../b2b/words";
import { formStyles } from "../roles/form-styles";
import { problemBox, problemOf, type Problem } from "../roles/problem";
import "./meeting-plan-form";

const s = strings({
  fr: {
    day: "Jour",
    loading: "Chargement des rendez-vous…",
    none: "Aucun rendez-vous ce jour-là.",
    count: "{n} rendez-vous ce jour-là",
    table: "Table {n}",
    noTable: "Pas encore de table",
    more: "Plus de rendez-vous",
    refresh: "Actualiser",
    plan: "Plan des rendez-vous",
    noPlan: "Aucun jour de rendez-vous n'est fixé : remplissez le plan ci-dessous.",
    times: "Heures de Casablanca ({offset})",
    occupancy: "Occupation des tables",
    used: "Table {n} : {booked}/{slots} créneaux, {happened} tenus, {noShows} absences",
    total: "{booked} créneaux réservés sur {slots}",
  },
  en: {
    day: "Day",
    loading: "Loading the meetings…",
    none: "No meetings that day.",
    count: "{n} meetings that day",
    table: "Table {n}",
    noTable: "No table yet",
    more: "More meetings",
    refresh: "Refresh",
    plan: "Meeting plan",
    noPlan: "No meeting day is set: fill in the plan below.",
    times: "Casablanca time ({offset})",
    occupancy: "Table occupancy",
    used: "Table {n}: {booked}/{slots} slots, {happened} held, {noShows} no-shows",
    total: "{booked} of {slots} slots booked",
  },
});

const DESK = `query Desk($day: Date, $after: String) { meetings(day: $day, first: 100, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { ${MEETING_FIELDS} } } }`;

const OCCUPANCY = `query Occupancy($day: Date!) { tableOccupancy(day: $day) {
  table { number } slots booked happened noShows } }`;

interface Occupancy {
  table: { number: number };
  slots: number;
  booked: number;
  happened: number;
  noShows: number;
}

interface DeskPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Meeting[];
}

export class B2bDesk extends SalonElement {
  static override properties = {
    fairDays: { attribute: false },
    active: { type: Boolean },
    plan: { state: true },
    day: { state: true },
    page: { state: true },
    occupancy: { state: true },
    problem: { state: true },
    busy: { state: true },
  };
  declare fairDays: string[];
  /** Shown: the first time, the desk reads the plan and the day's meetings. */
  declare active: boolean;
  declare plan: MeetingPlan | null;
  declare day: string;
  declare page: DeskPage | null;
  declare occupancy: Occupancy[] | null;
  declare problem: Problem | null;
  declare busy: boolean;
  private started = false;
  private reads = 0;

  constructor() {
    super();
    this.fairDays = [];
    this.active = false;
    this.plan = this.page = this.occupancy = this.problem = null;
    this.day = "";
    this.busy = false;
  }

  static override styles = [
    base,
    formStyles,
    b2bStyles,
    css`
      .days { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.4rem 0; }
      ol { list-style: none; padding: 0; margin: 0; }
      .who { margin: 0.2rem 0; }
    `,
  ];

  override updated(): void {
    if (this.active && !this.started) {
      this.started = true;
      void this.start();
    }
  }

  private async start(): Promise<void> {
    // A day chosen while the plan loaded (the fair's days are shown meanwhile) stays.
    this.planned(await meetingPlan());
  }

  /** The plan's days, else the fair's. */
  private days(): string[] {
    const planned = this.plan?.days.map((d) => d.day) ?? [];
    return planned.length ? planned : this.fairDays;
  }

  private async choose(day: string, after: string | null = null): Promise<void> {
    this.day = day;
    if (!after) this.page = null;
    this.problem = null;
    this.busy = true;
    const read = ++this.reads;
    try {
      const [{ meetings }, occupancy] = await Promise.all([
        graphql<{ meetings: DeskPage }>(DESK, { day: day || null, after }),
        day && !after
          ? graphql<{ tableOccupancy: Occupancy[] }>(OCCUPANCY, { day }).then((r) => r.tableOccupancy)
          : Promise.resolve(this.occupancy),
      ]);
      if (read !== this.reads) return;
      this.occupancy = day ? occupancy : null;
      this.page = after && this.page ? { ...meetings, nodes: [...this.page.nodes, ...meetings.nodes] } : meetings;
    } catch (error) {
      if (read === this.reads) this.problem = problemOf(error);
    } finally {
      if (read === this.reads) this.busy = false;
    }
  }

  private planned(plan: MeetingPlan | null): void {
    this.plan = plan;
    const days = this.days();
    void this.choose(days.includes(this.day) ? this.day : (days[0] ?? ""));
  }

  private row(m: Meeting): TemplateResult {
    return html`<li class="card" data-meeting-id=${m.id}>
      <div class="line">
        <strong>${timeRange(m.startsAt, m.endsAt)}</strong>
        <span>${m.table ? s("table", { n: m.table.number }) : s("noTable")}</span>
        ${statusBadge(m.status)}
        ${m.outcome ? html`<span class="badge">${outcomeName(m.outcome)}</span>` : nothing}
      </div>
      <p class="who">${m.requester.company} → ${m.invitee.company}</p>
    </li>`;
  }

  private list(): TemplateResult {
    const page = this.page;
    if (!page) return html`<p role="status">${this.busy ? s("loading") : ""}</p>`;
    const first = page.nodes[0];
    return html`<p class="muted" aria-live="polite" data-testid="desk-count">
        ${page.totalCount ? s("count", { n: page.totalCount }) : s("none")}
      </p>
      ${first ? html`<p class="tz muted">${s("times", { offset: offsetLabel(first.startsAt) })}</p>` : nothing}
      <ol data-testid="desk">
        ${page.nodes.map((m) => this.row(m))}
      </ol>
      ${page.pageInfo.hasNextPage
        ? html`<button ?disabled=${this.busy} @click=${() => void this.choose(this.day, page.pageInfo.endCursor)}>
            ${s("more")}
          </button>`
        : nothing}`;
  }

  private tables(): TemplateResult | typeof nothing {
    const tables = this.occupancy;
    if (!tables?.length) return nothing;
    const booked = tables.reduce((n, t) => n + t.booked, 0);
    const slots = tables.reduce((n, t) => n + t.slots, 0);
    return html`<h3>${s("occupancy")}</h3>
      <p class="muted" data-testid="occupancy-total">${s("total", { booked, slots })}</p>
      <ul data-testid="occupancy">
        ${tables.map(
          (t) => html`<li>
            ${s("used", {
              n: t.table.number,
              booked: t.booked,
              slots: t.slots,
              happened: t.happened,
              noShows: t.noShows,
            })}
          </li>`,
        )}
      </ul>`;
  }

  override render(): TemplateResult {
    const days = this.days();
    return html`
      ${this.plan && !this.plan.days.length ? html`<p>${s("noPlan")}</p>` : nothing}
      <div class="days" role="group" aria-label=${s("day")}>
        ${days.map(
          (day) => html`<button aria-pressed=${day === this.day ? "true" : "false"} @click=${() => void this.choose(day)}>
            ${dayName(day, lang(), "short")}
          </button>`,
        )}
        <button @click=${() => void this.choose(this.day)} ?disabled=${this.busy}>${s("refresh")}</button>
      </div>
      ${problemBox(this.problem)} ${this.list()}
      ${this.tables()}
      <h3>${s("plan")}</h3>
      <meeting-plan-form
        .plan=${this.plan}
        .fairDays=${this.fairDays}
        @planned=${(e: CustomEvent<MeetingPlan>) => this.planned(e.detail)}
      ></meeting-plan-form>
    `;
  }
}

customElements.define("b2b-desk", B2bDesk);
