/**
 * The Map: the floor plan drawn in SVG from /venue.geojson (kept in IndexedDB, so it
 * opens in airplane mode), pinch-zoom / pan / double-tap (+, −, reset for keyboards),
 * a hall switcher, a sheet for a tapped place, and walking routes between places.
 *
 * LINKS INTO THE MAP (for the session, exhibitor, schedule… screens):
 *   /map?to=<placeId>                  highlight and centre the place, fill "to" with it
 *   /map?from=<placeId>&to=<placeId>   and draw the walking route between the two
 * A placeId is an id that `route(fromId:, toId:)` accepts: a booth id (`booth-a101`:
 * `session.booth.id`, `exhibitor.booths[].id`), a room id (`room-atlas`:
 * `session.room.id`) or a point-of-interest id (`poi-first-aid`); never a booth code
 * ("A101") nor a hall id. For convenience this screen also takes an exhibitor id
 * (`/map?to=exh-107`: its first booth), which `route` itself would refuse.
 *   html`<a href="/map?to=${encodeURIComponent(session.room?.id ?? session.booth?.id ?? "")}">`
 *   /map?table=<tableId>               a B2B meeting table (`meeting.table.id`, "table-04"):
 *                                      pinned and centred, "to" filled with the B2B area
 * The meeting plan's tables are drawn in the B2B area (b2b/data.ts keeps the plan).
 */
import { html, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { allSessions } from "../lib/db";
import { strings } from "../lib/i18n";
import type { SessionRecord } from "../lib/model";
import { savedVenue, syncVenue } from "../lib/venue";
import { meetingPlan, storedPlan, type MeetingPlan } from "../b2b/data";
import { detail, drawScene, type TableMark } from "../map/draw";
import { Gestures } from "../map/gestures";
import { mapStyles } from "../map/map-styles";
import { placePanel } from "../map/place-panel";
import { placesList } from "../map/places-list";
import { boxOf, buildPlan, findPlace, type Place, type Plan } from "../map/plan";
import { findRoute, type RouteAnswer } from "../map/route";
import { routeForm, routeStatus } from "../map/route-form";
import {
  centreOf,
  centreOn,
  clampView,
  fit,
  reshape,
  STEP,
  svgArea,
  toSvg,
  viewBoxAttribute,
  zoomAt,
  type View,
} from "../map/view";

const s = strings({
  fr: {
    title: "Plan",
    loading: "Chargement du plan…",
    noCopy: "Le plan n'est pas encore enregistré sur ce téléphone. Connectez-vous une première fois.",
    svgTitle: "Plan du salon",
    svgDesc: "{halls} halls, {booths} stands, {rooms} salles et {pois} points d'intérêt. Pincez pour zoomer, glissez pour vous déplacer ; chaque lieu s'ouvre avec Entrée. La liste des lieux, sous le plan, donne les mêmes lieux en texte.",
    halls: "Halls",
    allHalls: "Tout le salon",
    level: "étage {n}",
    zoom: "Zoom",
    zoomIn: "Zoomer",
    zoomOut: "Dézoomer",
    reset: "Vue d'ensemble",
    skipMap: "Passer le plan",
    missing: "Le lieu « {id} » n'est pas sur le plan.",
    table: "Table {n} — espace des rendez-vous B2B{hall}",
    tableMissing: "La table « {id} » n'est pas (ou plus) dans le plan des rendez-vous.",
  },
  en: {
    title: "Map",
    loading: "Loading the map…",
    noCopy: "The map is not saved on this phone yet. Go online once.",
    svgTitle: "Floor plan of the fair",
    svgDesc: "{halls} halls, {booths} booths, {rooms} rooms and {pois} points of interest. Pinch to zoom, drag to move; each place opens with Enter. The list of places, below the map, gives the same places as text.",
    halls: "Halls",
    allHalls: "Whole fair",
    level: "floor {n}",
    zoom: "Zoom",
    zoomIn: "Zoom in",
    zoomOut: "Zoom out",
    reset: "Whole view",
    skipMap: "Skip the map",
    missing: "The place “{id}” is not on the map.",
    table: "Table {n} — B2B meeting area{hall}",
    tableMissing: "The table “{id}” is not (or no longer) in the meeting plan.",
  },
});

/** How wide (metres) the view is around a place a link or the list points at. */
const PLACE_WIDTH = 40;

export class MapScreen extends SalonElement {
  static override properties = {
    qTo: { attribute: "q-to" },
    qFrom: { attribute: "q-from" },
    qTable: { attribute: "q-table" },
    tables: { state: true },
    tablesKnown: { state: true },
    plan: { state: true },
    loaded: { state: true },
    view: { state: true },
    hall: { state: true },
    selected: { state: true },
    pinned: { state: true },
    from: { state: true },
    to: { state: true },
    answer: { state: true },
    routing: { state: true },
    sessions: { state: true },
    missing: { state: true },
  };
  declare qTo: string | null;
  declare qFrom: string | null;
  declare qTable: string | null;
  declare tables: TableMark[];
  /** The meeting plan was read (from the phone or the server): a missing table is missing. */
  declare tablesKnown: boolean;
  declare plan: Plan | null;
  declare loaded: boolean;
  declare view: View | null;
  declare hall: string | null;
  declare selected: string | null;
  declare pinned: string | null;
  declare from: string | null;
  declare to: string | null;
  declare answer: RouteAnswer | null;
  declare routing: boolean;
  declare sessions: SessionRecord[];
  declare missing: string | null;
  protected override watches = ["venue", "agenda"];
  private aspect = 0;
  private widthPx = 0;
  private gestures: Gestures | null = null;
  private resize: ResizeObserver | null = null;
  private routeAbort: AbortController | null = null;
  private synced = false;
  private tableShown = false;
  private hallOfTable = new Map<string, string | null>();
  /** The place whose sheet was opened from the keyboard: focus returns to it. */
  private keyboardPlace: string | null = null;
  private readonly online = (): void => {
    if (this.answer?.kind === "offline") void this.computeRoute();
  };

  constructor() {
    super();
    this.qTo = this.qFrom = this.qTable = null;
    this.tables = [];
    this.tablesKnown = false;
    this.plan = this.view = this.answer = null;
    this.hall = this.selected = this.pinned = this.from = this.to = this.missing = null;
    this.loaded = this.routing = false;
    this.sessions = [];
  }

  static override styles = [base, mapStyles];

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("online", this.online);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("online", this.online);
    this.gestures?.disconnect();
    this.resize?.disconnect();
    this.routeAbort?.abort();
    this.gestures = this.resize = null;
  }

  protected override async refresh(part?: string): Promise<void> {
    // An agenda change leaves the plan (and the pickers' typing) as it is.
    const venue = part === "agenda" ? undefined : savedVenue();
    const [collection, sessions] = await Promise.all([venue, allSessions()]);
    this.sessions = sessions;
    if (collection) this.plan = buildPlan(collection);
    this.loaded = true;
    // Once per visit: a 304 when the saved copy is current; a change announces "venue".
    if (!this.synced) {
      this.synced = true;
      void syncVenue();
      void this.readTables();
    }
  }

  /** The meeting plan's tables: the phone's copy at once, then the server's. */
  private async readTables(): Promise<void> {
    const kept = await storedPlan();
    if (kept) this.takeTables(kept, false);
    const plan = await meetingPlan().catch(() => null);
    if (plan) this.takeTables(plan, true);
    else this.tablesKnown = true;
  }

  private takeTables(plan: MeetingPlan, final: boolean): void {
    this.tables = plan.tables.map((t) => ({ id: t.id, number: t.number, at: t.location }));
    this.hallOfTable = new Map(plan.tables.map((t) => [t.id, t.hall?.id ?? null]));
    if (final || this.tables.some((t) => t.id === this.qTable)) this.tablesKnown = true;
    if (this.aspect) this.showTable();
  }

  /** `?table=`: once, when both the tables and the element's size are known. */
  private showTable(): void {
    const table = this.tables.find((t) => t.id === this.qTable);
    if (!table || this.tableShown || !this.plan) return;
    this.tableShown = true;
    const width = Math.min(this.current().w, PLACE_WIDTH);
    this.show(centreOn({ x: 0, y: 0, w: width, h: width / (this.aspect || 0.8) }, toSvg(table.at)));
    // The walk there is to the B2B area, which the route knows.
    const area = this.plan.places.find((p) => p.poiKind === "B2B_AREA");
    if (area && !this.to) {
      this.to = area.id;
      if (this.from) void this.computeRoute();
    }
  }

  override updated(): void {
    const element = this.renderRoot.querySelector<SVGSVGElement>("svg.plan");
    if (!element || this.gestures) return;
    this.gestures = new Gestures(element, { view: () => this.current(), show: (view) => this.show(view) });
    this.resize = new ResizeObserver(() => this.measure(element));
    this.resize.observe(element);
    this.measure(element);
  }

  /** The viewBox follows the element's shape, so a screen pixel is a square of plan. */
  private measure(element: SVGSVGElement): void {
    const { width, height } = element.getBoundingClientRect();
    if (!width || !height) return;
    const first = !this.aspect;
    this.aspect = width / height;
    this.widthPx = width;
    if (first) this.openLink();
    else if (this.view) this.view = reshape(this.view, this.aspect);
  }

  private current(): View {
    return this.view ?? this.home();
  }

  private home(): View {
    const plan = this.plan!;
    const hall = plan.halls.find((h) => h.id === this.hall);
    return fit(svgArea(hall ? hall.box : plan.box), this.aspect || 0.8, 0.08);
  }

  private show(view: View): void {
    if (this.plan) this.view = clampView(view, svgArea(this.plan.box), this.aspect || 0.8);
  }

  private around(place: Place): void {
    const width = Math.min(this.current().w, PLACE_WIDTH);
    this.show(centreOn({ x: 0, y: 0, w: width, h: width / (this.aspect || 0.8) }, toSvg(place.at)));
  }

  /** `?to=` and `?from=`: once, when the plan and the element's size are known. */
  private openLink(): void {
    const plan = this.plan!;
    const to = findPlace(plan, this.qTo);
    const from = findPlace(plan, this.qFrom);
    this.missing = [this.qTo, this.qFrom].find((id) => id && !findPlace(plan, id)) ?? null;
    this.to = to?.id ?? null;
    this.from = from?.id ?? null;
    this.pinned = to?.id ?? null;
    if (to) this.around(to);
    else this.view = this.home();
    if (from && to) void this.computeRoute();
    this.showTable();
  }

  private async computeRoute(): Promise<void> {
    this.routeAbort?.abort();
    this.answer = null;
    const from = this.from ? this.plan?.byId.get(this.from) : undefined;
    const to = this.to ? this.plan?.byId.get(this.to) : undefined;
    if (!from || !to) return;
    const abort = new AbortController();
    this.routeAbort = abort;
    this.routing = true;
    try {
      const answer = await findRoute(from, to, abort.signal);
      if (abort.signal.aborted) return; // answered just as another pair was picked
      this.answer = answer;
      this.pinned = to.id;
      const path = answer.kind === "walk" ? answer.walk.path : answer.kind === "offline" ? answer.path : [];
      if (path.length) {
        this.show(fit(svgArea(boxOf(path)), this.aspect || 0.8, 0.15));
        // Picked in the form below the map: bring the drawn route into sight.
        this.renderRoot.querySelector(".frame")?.scrollIntoView({ block: "nearest" });
      }
    } catch (error) {
      if (!(error instanceof DOMException && error.name === "AbortError")) throw error;
    } finally {
      if (this.routeAbort === abort) this.routing = false;
    }
  }

  private setEnds(from: string | null, to: string | null): void {
    const destination = to && to !== this.to ? this.plan?.byId.get(to) : undefined;
    this.from = from;
    this.to = to;
    this.pinned = to;
    // A destination alone has no route yet: show where it is meanwhile.
    if (destination && !from) this.around(destination);
    void this.computeRoute();
  }

  private select(id: string, keyboard: boolean): void {
    this.selected = id;
    this.keyboardPlace = keyboard ? id : null;
    if (keyboard) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>("#sheet-title")?.focus());
  }

  private closeSheet(): void {
    const back = this.keyboardPlace;
    this.selected = this.keyboardPlace = null;
    if (back) this.renderRoot.querySelector<SVGGElement>(`[data-place="${CSS.escape(back)}"]`)?.focus();
  }

  private goToForm(): void {
    void this.updateComplete.then(() => {
      const heading = this.renderRoot.querySelector<HTMLElement>("#route-title");
      heading?.scrollIntoView({ block: "start" });
      heading?.focus();
    });
  }

  private placeFrom(event: Event): Place | null {
    const target = (event.target as Element | null)?.closest("[data-place]");
    return target ? (this.plan?.byId.get(target.getAttribute("data-place") ?? "") ?? null) : null;
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key !== "Enter" && event.key !== " ") return;
    const place = this.placeFrom(event);
    if (!place) return;
    event.preventDefault();
    this.select(place.id, true);
  }

  /** Tabbing onto a place the view does not show brings it into view. */
  private onFocus(event: FocusEvent): void {
    const place = this.placeFrom(event);
    const view = this.current();
    if (!place) return;
    const at = toSvg(place.at);
    if (at.x < view.x || at.x > view.x + view.w || at.y < view.y || at.y > view.y + view.h) this.around(place);
  }

  /** What the pinned table is, in words (the drawing's pin is for the eyes). */
  private tableLine(plan: Plan): TemplateResult | typeof nothing {
    if (!this.qTable) return nothing;
    const table = this.tables.find((t) => t.id === this.qTable);
    if (!table) {
      return this.tablesKnown
        ? html`<p class="error" role="alert">${s("tableMissing", { id: this.qTable })}</p>`
        : nothing;
    }
    const hallId = this.hallOfTable.get(table.id);
    const hall = plan.halls.find((h) => h.id === hallId);
    return html`<p class="table-status" role="status" data-testid="table-status">
      ${s("table", { n: table.number, hall: hall ? ` (${hall.shortName})` : "" })}
    </p>`;
  }

  private hallsBar(plan: Plan): TemplateResult | typeof nothing {
    if (plan.halls.length < 2) return nothing;
    const choose = (id: string | null): void => {
      this.hall = id;
      this.view = this.home();
    };
    return html`<div class="halls-bar" role="group" aria-label=${s("halls")}>
      <button aria-pressed=${this.hall === null ? "true" : "false"} @click=${() => choose(null)}>${s("allHalls")}</button>
      ${plan.halls.map(
        (h) =>
          html`<button aria-pressed=${this.hall === h.id ? "true" : "false"} data-hall=${h.id} title=${h.name} @click=${() => choose(h.id)}>
            ${h.shortName}${h.ordinal > 0 ? ` · ${s("level", { n: h.ordinal })}` : ""}
          </button>`,
      )}
    </div>`;
  }

  private drawing(plan: Plan): TemplateResult {
    const view = this.current();
    const px = view.w / (this.widthPx || 380);
    const ordinal = plan.halls.find((h) => h.id === this.hall)?.ordinal ?? null;
    const answer = this.answer;
    const route =
      answer?.kind === "walk"
        ? { path: answer.walk.path, straight: false }
        : answer?.kind === "offline"
          ? { path: answer.path, straight: true }
          : null;
    const count = (kind: Place["kind"]): number => plan.places.filter((p) => p.kind === kind).length;
    const desc = { halls: plan.halls.length, booths: count("booth"), rooms: count("room"), pois: count("poi") };
    const zoom = (factor: number): void => this.show(zoomAt(view, factor, centreOf(view)));
    return html`<div class="frame">
      <button class="skip" @click=${() => this.goToForm()}>${s("skipMap")}</button>
      <div class="zoom" role="group" aria-label=${s("zoom")}>
        <button aria-label=${s("zoomIn")} @click=${() => zoom(STEP)}>+</button>
        <button aria-label=${s("zoomOut")} @click=${() => zoom(1 / STEP)}>−</button>
        <button aria-label=${s("reset")} @click=${() => (this.view = this.home())}>⤢</button>
      </div>
      <svg class="plan ${detail(px)}" viewBox=${viewBoxAttribute(view)} preserveAspectRatio="xMidYMid meet" role="group"
        aria-labelledby="map-title" aria-describedby="map-desc"
        @click=${(e: Event) => { const p = this.placeFrom(e); if (p) this.select(p.id, false); }}
        @keydown=${this.onKey} @focusin=${this.onFocus}>
        <title id="map-title">${s("svgTitle")}</title>
        <desc id="map-desc">${s("svgDesc", desc)}</desc>
        ${drawScene({ plan, px, selected: this.selected, pinned: this.pinned, ordinal, route, tables: this.tables, table: this.qTable })}
      </svg>
    </div>`;
  }

  override render(): TemplateResult {
    const plan = this.plan;
    if (!plan) return html`<h1>${s("title")}</h1><p class="muted">${this.loaded ? s("noCopy") : s("loading")}</p>`;
    const selected = this.selected ? plan.byId.get(this.selected) : undefined;
    return html`
      <h1>${s("title")}</h1>
      ${this.missing ? html`<p class="error" role="alert">${s("missing", { id: this.missing })}</p>` : nothing}
      ${this.tableLine(plan)}
      ${this.hallsBar(plan)} ${this.drawing(plan)} ${routeStatus(this.answer, this.routing)}
      ${routeForm(plan, this.from, this.to, (from, to) => this.setEnds(from, to))}
      ${placesList(plan, (place) => {
        this.around(place);
        this.select(place.id, true);
        this.renderRoot.querySelector(".frame")?.scrollIntoView({ block: "nearest" });
      })}
      ${selected
        ? placePanel(selected, plan, this.sessions, {
            close: () => this.closeSheet(),
            goHere: (place) => {
              this.selected = null;
              this.setEnds(this.from, place.id);
              this.goToForm();
            },
            startHere: (place) => {
              this.selected = null;
              this.setEnds(place.id, this.to);
              this.goToForm();
            },
          })
        : nothing}
    `;
  }
}

customElements.define("map-screen", MapScreen);
