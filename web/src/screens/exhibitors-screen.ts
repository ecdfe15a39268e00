// The exhibitor directory, from the offline copy: filters by sector, country and
// hall (the values the data holds), a search (the server's, typo-tolerant, when
// online), and "follow" on each exhibitor for signed-in people.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { token } from "../lib/auth";
import { allExhibitors } from "../lib/db";
import { searchExhibitors, type ExhibitorHits } from "../lib/exhibitor-search";
import { follows } from "../lib/follow";
import { lang, strings } from "../lib/i18n";
import { currentMe, type MeRecord } from "../lib/me";
import type { ExhibitorRecord } from "../lib/model";
import { boothName, countryName, sectorName } from "../components/exhibitor-labels";
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

interface Option {
  id: string;
  name: string;
}

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
  private searching: AbortController | null = null;
  private searchTimer = 0;
  private readonly onNetwork = (): void => {
    this.online = navigator.onLine;
  };

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
    this.loaded = false;
  }

  static override styles = [
    base,
    css`
      .filters {
        display: grid;
        grid-template-columns: repeat(3, 1fr);
        gap: 0.5rem;
      }
      .filters select {
        width: 100%;
      }
      .filters label {
        margin: 0.3rem 0 0.1rem;
        font-size: 0.85rem;
      }
      .search {
        display: flex;
        gap: 0.4rem;
        margin: 0.5rem 0;
      }
      .search input {
        flex: 1;
        min-width: 0;
      }
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

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("online", this.onNetwork);
    window.addEventListener("offline", this.onNetwork);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("online", this.onNetwork);
    window.removeEventListener("offline", this.onNetwork);
    clearTimeout(this.searchTimer);
    this.searching?.abort();
  }

  protected override async refresh(): Promise<void> {
    const [exhibitors, me] = await Promise.all([allExhibitors(), currentMe()]);
    this.exhibitors = exhibitors;
    this.me = me;
    this.loaded = exhibitors.length > 0;
  }

  private onSearchInput(event: Event): void {
    this.query = (event.target as HTMLInputElement).value;
    clearTimeout(this.searchTimer);
    this.searchTimer = window.setTimeout(() => void this.runSearch(), 250);
  }

  private async runSearch(): Promise<void> {
    this.searching?.abort();
    const text = this.query.trim();
    if (!text) {
      this.hits = null;
      return;
    }
    const controller = new AbortController();
    this.searching = controller;
    try {
      const hits = await searchExhibitors(text, this.exhibitors, (x) => [countryName(x.country)], controller.signal);
      if (!controller.signal.aborted) this.hits = hits;
    } catch (error) {
      if ((error as Error).name !== "AbortError") this.hits = null;
    }
  }

  private clearSearch(): void {
    clearTimeout(this.searchTimer);
    this.searching?.abort();
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
    const id = `filter-${key}`;
    return html`<div>
      <label for=${id}>${s(key)}</label>
      <select id=${id} @change=${(e: Event) => (this[key] = (e.target as HTMLSelectElement).value)}>
        <option value="" ?selected=${!this[key]}>${s("all")}</option>
        ${options.map((o) => html`<option value=${o.id} ?selected=${o.id === this[key]}>${o.name}</option>`)}
      </select>
    </div>`;
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
      <div class="search" role="search">
        <label class="visually-hidden" for="search">${s("searchLabel")}</label>
        <input
          id="search"
          type="search"
          placeholder=${s("search")}
          .value=${this.query}
          @input=${this.onSearchInput}
          enterkeyhint="search"
          autocomplete="off"
        />
        ${this.query ? html`<button @click=${this.clearSearch}>${s("clear")}</button>` : nothing}
      </div>
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
