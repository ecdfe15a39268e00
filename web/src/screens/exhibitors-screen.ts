// The exhibitor directory, from the offline copy: filters by sector, country and
// hall (the values the data holds), a search (the server's, typo-tolerant, when
// online), and "follow" on each exhibitor for signed-in people.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base, filters } from "../app/styles";
import { token } from "../lib/auth";
import { allExhibitors } from "../lib/db";
import { searchExhibitors, type ExhibitorHits } from "../lib/exhibitor-search";
import { follows } from "../lib/follow";
import { lang, strings } from "../lib/i18n";
import { watchNetwork } from "../lib/network";
import { currentMe, type MeRecord } from "../lib/me";
import type { ExhibitorRecord } from "../lib/model";
import { boothName, countryName, sectorName } from "../components/exhibitor-labels";
import { filterSelect, searchBox, typedSearch, type Option } from "../components/search-controls";
import "../components/follow-button";

const s = strings({
  fr: {
    title: "Exposants",
    loading: "Chargement des exposants…",
    empty: "La liste des exposants n'est pas encore disponible hors ligne. Connectez-vous une première fois.",
    filters: "Filtres",
    sector: "Secteur",
    country: "Pays",
    hall: "Hall",
    all: "Tous",
    searchLabel: "Rechercher un exposant",
    search: "Nom, activité, stand…",
    clear: "Effacer",
    count: "{n} exposants",
    one: "1 exposant",
    none: "Aucun exposant ne correspond.",
    offlineSearch: "Hors ligne : recherche dans la copie enregistrée",
    offlineFollow: "Hors ligne : suivre un exposant demande le réseau.",
  },
  en: {
    title: "Exhibitors",
    loading: "Loading the exhibitors…",
    empty: "The exhibitor list is not available offline yet. Go online once.",
    filters: "Filters",
    sector: "Sector",
    country: "Country",
    hall: "Hall",
    all: "All",
    searchLabel: "Search an exhibitor",
    search: "Name, activity, booth…",
    clear: "Clear",
    count: "{n} exhibitors",
    one: "1 exhibitor",
    none: "No exhibitor matches.",
    offlineSearch: "Offline: searching the saved copy",
    offlineFollow: "Offline: following an exhibitor needs the network.",
  },
});

const byName = (a: Option, b: Option): number => a.name.localeCompare(b.name, lang());

export class ExhibitorsScreen extends SalonElement {
  static override properties = {
    exhibitors: { state: true },
    me: { state: true },
    sector: { state: true },
    country: { state: true },
    hall: { state: true },
    query: { state: true },
    hits: { state: true },
    online: { state: true },
    loaded: { state: true },
  };
  declare exhibitors: ExhibitorRecord[];
  declare me: MeRecord | null;
  declare sector: string;
  declare country: string;
  declare hall: string;
  declare query: string;
  declare hits: ExhibitorHits | null;
  declare online: boolean;
  declare loaded: boolean;
  protected override watches = ["agenda", "me"];
  private readonly searching = typedSearch<ExhibitorHits>(
    (text, signal) =>
      text ? searchExhibitors(text, this.exhibitors, (x) => [countryName(x.country)], signal) : Promise.resolve(null),
    (hits) => (this.hits = hits),
  );

  constructor() {
    super();
    this.exhibitors = [];
    this.me = null;
    this.sector = "";
    this.country = "";
    this.hall = "";
    this.query = "";
    this.hits = null;
    this.online = navigator.onLine;
    watchNetwork(this, (online) => (this.online = online));
    this.loaded = false;
  }

  static override styles = [
    base,
    filters,
    css`
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      li h2 {
        font-size: 1.05rem;
        margin: 0 0 0.2rem;
      }
      li p {
        margin: 0.15rem 0;
      }
      .item {
        display: flex;
        gap: 0.5rem;
        align-items: flex-start;
        justify-content: space-between;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.searching.cancel();
  }

  protected override async refresh(): Promise<void> {
    const [exhibitors, me] = await Promise.all([allExhibitors(), currentMe()]);
    this.exhibitors = exhibitors;
    this.me = me;
    this.loaded = exhibitors.length > 0;
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

  private visible(): ExhibitorRecord[] {
    return this.exhibitors.filter(
      (x) =>
        (!this.hits || this.hits.ids.has(x.id)) &&
        (!this.sector || x.sectors.includes(this.sector)) &&
        (!this.country || x.country === this.country) &&
        (!this.hall || x.booths.some((b) => b.hall.id === this.hall)),
    );
  }

  /** Filter values as the data holds them, named in the current language. */
  private options(): { sectors: Option[]; countries: Option[]; halls: Option[] } {
    const sectors = new Set<string>();
    const countries = new Set<string>();
    const halls = new Map<string, string>();
    for (const x of this.exhibitors) {
      x.sectors.forEach((id) => sectors.add(id));
      countries.add(x.country);
      x.booths.forEach((b) => halls.set(b.hall.id, b.hall.name));
    }
    return {
      sectors: [...sectors].map((id) => ({ id, name: sectorName(id) })).sort(byName),
      countries: [...countries].map((id) => ({ id, name: countryName(id) })).sort(byName),
      halls: [...halls].map(([id, name]) => ({ id, name })).sort(byName),
    };
  }

  private select(key: "sector" | "country" | "hall", options: Option[]): TemplateResult {
    return filterSelect(key, s(key), s("all"), this[key], options, (v) => (this[key] = v));
  }

  private item(x: ExhibitorRecord, signedIn: boolean): TemplateResult {
    return html`<li class="card" data-exhibitor-id=${x.id}>
      <div class="item">
        <div>
          <h2><a href="/exhibitor/${x.id}">${x.name}</a></h2>
          <p class="muted">${countryName(x.country)} · ${x.sectors.map(sectorName).join(", ")}</p>
          ${x.booths.length ? html`<p>${x.booths.map(boothName).join(" ; ")}</p>` : nothing}
        </div>
        <follow-button
          exhibitor-id=${x.id}
          name=${x.name}
          ?following=${follows(this.me, x.id)}
          ?signed-in=${signedIn}
          terse
        ></follow-button>
      </div>
    </li>`;
  }

  override render(): TemplateResult {
    if (!this.loaded) {
      return html`<h1>${s("title")}</h1>
        <p role="status">${navigator.onLine ? s("loading") : s("empty")}</p>`;
    }
    const { sectors, countries, halls } = this.options();
    const list = this.visible();
    const signedIn = !!token();
    return html`
      <h1>${s("title")}</h1>
      ${searchBox(
        s("searchLabel"),
        s("search"),
        s("clear"),
        this.query,
        (e) => this.onSearchInput(e),
        () => this.clearSearch(),
      )}
      <details>
        <summary>${s("filters")}</summary>
        <div class="filters">
          ${this.select("sector", sectors)} ${this.select("country", countries)} ${this.select("hall", halls)}
        </div>
      </details>
      ${this.hits?.offline ? html`<p class="muted" role="status">${s("offlineSearch")}</p>` : nothing}
      ${signedIn && !this.online ? html`<p class="muted">${s("offlineFollow")}</p>` : nothing}
      <p class="muted" aria-live="polite" data-testid="count">
        ${list.length === 1 ? s("one") : s("count", { n: list.length })}
      </p>
      ${list.length
        ? html`<ul>
            ${list.map((x) => this.item(x, signedIn))}
          </ul>`
        : html`<p>${s("none")}</p>`}
    `;
  }
}

customElements.define("exhibitors-screen", ExhibitorsScreen);
