// The agenda: day tabs, "now / next", filters (kind, track, hall), search, and a
// card per session that shows CHANGED and CANCELLED at a glance and the seats left.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base, filters } from "../app/styles";
import { graphql } from "../lib/api";
import { allExhibitors, allSessions, allSpeakers, eventRecord, sessionsOn } from "../lib/db";
import { dayName, fairDay, instant, offsetLabel } from "../lib/fair-time";
import { lang, pick, strings } from "../lib/i18n";
import { currentMe } from "../lib/me";
import type { EventRecord, ExhibitorRecord, SessionRecord, SpeakerRecord } from "../lib/model";
import { search, type SearchHits } from "../lib/search";
import { filterSelect, searchBox, typedSearch, type Option } from "../components/search-controls";
import { KINDS, kindName, sessionCard, sessionCardStyles } from "../components/session-card";
import { programmeCalendar, programmeCalendarStyles } from "../components/programme-calendar";

const s = strings({
  fr: {
    title: "Programme",
    days: "Jours du salon",
    now: "En ce moment",
    next: "À suivre",
    filters: "Filtres",
    kind: "Type",
    track: "Thématique",
    hall: "Hall",
    all: "Tous",
    search: "Rechercher une conférence, un exposant, un intervenant",
    searchLabel: "Rechercher",
    clear: "Effacer",
    none: "Aucune session ne correspond.",
    loading: "Chargement du programme…",
    empty: "Le programme n'est pas encore disponible hors ligne. Connectez-vous une première fois.",
    times: "Heures de Casablanca ({offset})",
    exhibitorsFound: "Exposants",
    speakersFound: "Intervenants",
    offlineSearch: "Hors ligne : recherche dans la copie enregistrée",
    count: "{n} sessions",
  },
  en: {
    title: "Agenda",
    days: "Fair days",
    now: "Happening now",
    next: "Up next",
    filters: "Filters",
    kind: "Kind",
    track: "Track",
    hall: "Hall",
    all: "All",
    search: "Search a talk, an exhibitor, a speaker",
    searchLabel: "Search",
    clear: "Clear",
    none: "No session matches.",
    loading: "Loading the agenda…",
    empty: "The agenda is not available offline yet. Go online once.",
    times: "Casablanca time ({offset})",
    exhibitorsFound: "Exhibitors",
    speakersFound: "Speakers",
    offlineSearch: "Offline: searching the saved copy",
    count: "{n} sessions",
  },
});

// A phone shows about five cards: draw those first, so the agenda appears before the
// whole day is laid out, then the rest a few cards per task, so that no task holds the
// main thread long enough to delay a tap (the first visit's main thread is busy).
const FIRST_CARDS = 5;
const MORE_CARDS = 6;

const SEATS = `query Seats($day: Date!) { sessions(filter: { day: $day }, first: 200) { nodes { id seatsLeft } } }`;

export class AgendaScreen extends SalonElement {
  static override properties = {
    sessions: { state: true },
    event: { state: true },
    day: { state: true },
    kind: { state: true },
    track: { state: true },
    hall: { state: true },
    query: { state: true },
    hits: { state: true },
    seats: { state: true },
    bookmarked: { state: true },
    loaded: { state: true },
    shown: { state: true },
    filtering: { state: true },
  };
  /** Cards drawn so far: the first screenful at once, the rest a frame later. */
  declare shown: number;
  /** The filters are drawn once opened (or set): most visits never open them. */
  declare filtering: boolean;
  /** How many cards the last render had to show, and whether more are on their way. */
  private listed = 0;
  private growing = false;
  declare sessions: SessionRecord[];
  declare event: EventRecord | null;
  declare day: string;
  declare kind: string;
  declare track: string;
  declare hall: string;
  declare query: string;
  declare hits: SearchHits | null;
  declare seats: Map<string, number | null>;
  declare bookmarked: Set<string>;
  declare loaded: boolean;
  protected override watches = ["agenda", "me"];
  /** Every day's sessions: read only for a search (the day's list is `sessions`). */
  private everyDay: SessionRecord[] = [];
  private exhibitors: ExhibitorRecord[] = [];
  private speakers: SpeakerRecord[] = [];
  private readonly searching = typedSearch<SearchHits>(
    async (text, signal) => {
      if (text.length < 2) return null;
      // Exhibitors and speakers are read only for a search (the day's list needs neither).
      [this.everyDay, this.exhibitors, this.speakers] = await Promise.all([
        allSessions(),
        allExhibitors(),
        allSpeakers(),
      ]);
      return search(text, { sessions: this.everyDay, exhibitors: this.exhibitors, speakers: this.speakers }, signal);
    },
    (hits) => (this.hits = hits),
  );

  constructor() {
    super();
    this.shown = FIRST_CARDS;
    this.filtering = false;
    this.sessions = [];
    this.event = null;
    this.day = sessionStorage.getItem("agenda.day") ?? "";
    this.kind = "";
    this.track = "";
    this.hall = "";
    this.query = "";
    this.hits = null;
    this.seats = new Map();
    this.bookmarked = new Set();
    this.loaded = false;
  }

  static override styles = [
    base,
    filters,
    sessionCardStyles,
    programmeCalendarStyles,
    css`
      .days {
        display: flex;
        gap: 0.4rem;
        overflow-x: auto;
        padding: 0.25rem 0;
      }
      .days button {
        flex: 0 0 auto;
      }
      .session.changed {
        border-left: 4px solid #c98a00;
      }
      .session.cancelled {
        border-left: 4px solid #8a1710;
      }
      section.now {
        background: var(--brand-soft);
        border-radius: 0.8rem;
        padding: 0.25rem 0.75rem;
      }
    `,
  ];

  protected override async refresh(): Promise<void> {
    const [event, me] = await Promise.all([eventRecord(), currentMe()]);
    if (event && !event.days.includes(this.day)) this.day = this.defaultDay(event);
    // Only the day shown: on a phone each stored session read is a copy on the main thread.
    this.sessions = this.day ? await sessionsOn(this.day) : [];
    this.event = event ?? null;
    this.bookmarked = new Set(me?.schedule.sessions.filter((x) => x.viewerHasBookmarked).map((x) => x.id) ?? []);
    this.loaded = event !== undefined;
    void this.loadSeats();
  }

  override updated(): void {
    if (this.loaded && this.shown < this.listed && !this.growing) {
      this.growing = true;
      requestAnimationFrame(() =>
        setTimeout(() => {
          this.growing = false;
          this.shown += MORE_CARDS;
        }),
      );
    }
  }

  private defaultDay(event: EventRecord): string {
    const today = new Date().toISOString().slice(0, 10);
    return event.days.includes(today) ? today : event.days[0];
  }

  private async loadSeats(): Promise<void> {
    if (!this.day || !navigator.onLine) return;
    try {
      const answer = await graphql<{ sessions: { nodes: { id: string; seatsLeft: number | null }[] } }>(SEATS, {
        day: this.day,
      });
      this.seats = new Map(answer.sessions.nodes.map((node) => [node.id, node.seatsLeft]));
    } catch {
      // Seats are a live extra; the agenda stands without them.
    }
  }

  private chooseDay(day: string): void {
    this.day = day;
    sessionStorage.setItem("agenda.day", day);
    void this.refresh();
  }

  private onSearchInput(event: Event): void {
    this.query = (event.target as HTMLInputElement).value;
    this.searching.typed(this.query);
  }

  private clearSearch(): void {
    this.searching.cancel();
    this.query = "";
    this.hits = null;
  }

  private visible(): SessionRecord[] {
    const hitIds = this.hits ? new Set(this.hits.sessionIds) : null;
    return (hitIds ? this.everyDay : this.sessions).filter(
      (x) =>
        (hitIds ? hitIds.has(x.id) : fairDay(x.startsAt) === this.day) &&
        (!this.kind || x.kind === this.kind) &&
        (!this.track || x.track?.id === this.track) &&
        (!this.hall || (x.room?.hall?.id ?? x.booth?.hall.id) === this.hall),
    );
  }

  private halls(): Option[] {
    const found = new Map<string, string>();
    for (const x of this.sessions) {
      const hall = x.room?.hall ?? x.booth?.hall;
      if (hall) found.set(hall.id, hall.name);
    }
    // Code-point order: hall names are "Hall A", "Hall B"…, and the first localeCompare
    // of a page loads the collator's data, a long task on the first screen.
    return [...found]
      .map(([id, name]) => ({ id, name }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private nowAndNext(list: SessionRecord[]): TemplateResult | typeof nothing {
    const now = Date.now();
    const live = list.filter((x) => x.status !== "CANCELLED" && instant(x.startsAt) <= now && now < instant(x.endsAt));
    const upcoming = list.filter((x) => x.status !== "CANCELLED" && instant(x.startsAt) > now);
    const next = upcoming.length ? upcoming.filter((x) => x.startsAt === upcoming[0].startsAt) : [];
    if (!live.length && !next.length) return nothing;
    const card = (x: SessionRecord): TemplateResult => this.card(x);
    return html`<section class="now" aria-label="${s("now")} / ${s("next")}">
      ${live.length ? html`<h2>${s("now")}</h2>${live.map(card)}` : nothing}
      ${next.length ? html`<h2>${s("next")}</h2>${next.map(card)}` : nothing}
    </section>`;
  }

  private card(x: SessionRecord): TemplateResult {
    return sessionCard(x, { seatsLeft: this.seats.get(x.id), bookmarked: this.bookmarked.has(x.id) });
  }

  private select(key: "kind" | "track" | "hall", options: Option[]): TemplateResult {
    return filterSelect(key, s(key), s("all"), this[key], options, (v) => (this[key] = v));
  }

  private searchExtras(): TemplateResult | typeof nothing {
    if (!this.hits) return nothing;
    const exhibitors = this.hits.exhibitorIds
      .map((id) => this.exhibitors.find((x) => x.id === id))
      .filter((x): x is ExhibitorRecord => !!x);
    const speakers = this.hits.speakerIds
      .map((id) => this.speakers.find((x) => x.id === id))
      .filter((x): x is SpeakerRecord => !!x);
    return html`
      ${this.hits.offline ? html`<p class="muted" role="status">${s("offlineSearch")}</p>` : nothing}
      ${exhibitors.length
        ? html`<h2>${s("exhibitorsFound")}</h2>
            <ul>
              ${exhibitors.map((x) => html`<li><a href="/exhibitor/${x.id}">${x.name}</a></li>`)}
            </ul>`
        : nothing}
      ${speakers.length
        ? html`<h2>${s("speakersFound")}</h2>
            <ul>
              ${speakers.map((x) => html`<li>${x.name}${x.organisation ? html` — ${x.organisation}` : nothing}</li>`)}
            </ul>`
        : nothing}
    `;
  }

  override render(): TemplateResult {
    if (!this.loaded) {
      return html`<h1>${s("title")}</h1>
        <p role="status">${navigator.onLine ? s("loading") : s("empty")}</p>`;
    }
    const event = this.event as EventRecord;
    const list = this.visible();
    this.listed = list.length;
    const offset = this.sessions[0] ? offsetLabel(this.sessions[0].startsAt) : "";
    const tracks = event.tracks.map((t) => ({ id: t.id, name: pick(t.nameFr, t.nameEn) }));
    const kinds = KINDS.map((k) => ({ id: k, name: kindName(k) }));
    return html`
      <h1>${s("title")}</h1>
      <p class="tz muted" data-testid="time-zone">${s("times", { offset })}</p>
      ${searchBox(
        s("searchLabel"),
        s("search"),
        s("clear"),
        this.query,
        (e) => this.onSearchInput(e),
        () => this.clearSearch(),
      )}
      ${this.hits
        ? nothing
        : html`<div class="days" role="group" aria-label=${s("days")}>
            ${event.days.map(
              (day) =>
                html`<button aria-pressed=${day === this.day ? "true" : "false"} @click=${() => this.chooseDay(day)}>
                  ${dayName(day, lang(), "short")}
                </button>`,
            )}
          </div>`}
      <details
        ?open=${this.filtering}
        @toggle=${(e: Event) => (this.filtering = (e.target as HTMLDetailsElement).open)}
      >
        <summary>${s("filters")}</summary>
        ${this.filtering || this.kind || this.track || this.hall
          ? html`<div class="filters">
              ${this.select("kind", kinds)} ${this.select("track", tracks)} ${this.select("hall", this.halls())}
            </div>`
          : nothing}
      </details>
      ${this.searchExtras()} ${this.hits ? nothing : this.nowAndNext(list)}
      <h2 class="visually-hidden">${this.hits ? s("searchLabel") : dayName(this.day, lang())}</h2>
      <p class="muted" aria-live="polite">${s("count", { n: list.length })}</p>
      <section class="day" data-testid="day-list">
        ${list.length
          ? list.slice(0, this.shown).map((x) => this.card(x))
          : html`<p>${s("none")}</p>`}
      </section>
      ${programmeCalendar()}
    `;
  }
}

customElements.define("agenda-screen", AgendaScreen);
