// The companies to meet: suggestions for my profile (me.meetingMatches, with their
// score and reasons; left out quietly when the server has none to give), then the
// directory of open profiles with a search, a sector and a country filter, and
// "those who offer what I look for". Each links to the company's page.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base, filters } from "../app/styles";
import { countryName, SECTOR_IDS, sectorName } from "../components/exhibitor-labels";
import { filterSelect, searchBox, typedSearch, type Option } from "../components/search-controls";
import { allExhibitors } from "../lib/db";
import { lang, onLangChange, strings } from "../lib/i18n";
import {
  directory,
  matches,
  myMeetings,
  type DirectoryFilter,
  type DirectoryPage,
  type Match,
  type Profile,
} from "../b2b/data";
import { b2bNav, b2bStyles, w } from "../b2b/words";
import { formStyles } from "../roles/form-styles";
import { problemBox, problemOf, type Problem } from "../roles/problem";
import { signedInPerson, signInPrompt } from "../roles/sign-in-gate";

const s = strings({
  fr: {
    suggestions: "Suggestions pour vous",
    suggestionsHint: "Des entreprises dont l'offre répond à vos besoins, ou l'inverse.",
    noSuggestions: "Pas encore de suggestion : décrivez ce que vous proposez et cherchez dans votre profil.",
    moreSuggestions: "Voir les {n} suggestions",
    score: "Pertinence {n} %",
    directory: "Annuaire",
    searchLabel: "Rechercher une entreprise",
    search: "Nom, savoir-faire, besoin…",
    clear: "Effacer",
    filters: "Filtres",
    sector: "Secteur",
    country: "Pays",
    all: "Tous",
    offersMyNeeds: "Seulement celles qui proposent ce que je cherche",
    count: "{n} entreprises",
    one: "1 entreprise",
    none: "Aucune entreprise ne correspond.",
    more: "Plus de résultats",
    offers: "Propose :",
    needs: "Cherche :",
    loading: "Chargement…",
  },
  en: {
    suggestions: "Suggestions for you",
    suggestionsHint: "Companies whose offer meets your needs, or the other way round.",
    noSuggestions: "No suggestion yet: say in your profile what you offer and look for.",
    moreSuggestions: "See the {n} suggestions",
    score: "Relevance {n}%",
    directory: "Directory",
    searchLabel: "Search a company",
    search: "Name, skill, need…",
    clear: "Clear",
    filters: "Filters",
    sector: "Sector",
    country: "Country",
    all: "All",
    offersMyNeeds: "Only those offering what I look for",
    count: "{n} companies",
    one: "1 company",
    none: "No company matches.",
    more: "More results",
    offers: "Offers:",
    needs: "Looks for:",
    loading: "Loading…",
  },
});

type State = "loading" | "signed-out" | "ready";
/** Suggestions shown before "see them all". */
const FEW = 5;

export class B2bCompaniesScreen extends SalonElement {
  static override properties = {
    state: { state: true },
    suggested: { state: true },
    allSuggestions: { state: true },
    page: { state: true },
    query: { state: true },
    sector: { state: true },
    country: { state: true },
    offersMyNeeds: { state: true },
    countries: { state: true },
    myNeeds: { state: true },
    problem: { state: true },
    busy: { state: true },
  };
  declare state: State;
  /** null: the server gave no suggestions (no matching there yet, or offline). */
  declare suggested: Match[] | null;
  declare allSuggestions: boolean;
  declare page: DirectoryPage | null;
  declare query: string;
  declare sector: string;
  declare country: string;
  declare offersMyNeeds: boolean;
  declare countries: Option[];
  declare myNeeds: string[];
  declare problem: Problem | null;
  declare busy: boolean;
  protected override watches = ["me"];
  private readonly searching = typedSearch(
    (text, signal) => directory(this.filter(text), null, signal),
    (page) => {
      if (page) this.page = page;
    },
  );

  constructor() {
    super();
    this.state = "loading";
    this.suggested = null;
    this.allSuggestions = false;
    this.page = null;
    this.query = this.sector = this.country = "";
    this.offersMyNeeds = false;
    this.countries = [];
    this.myNeeds = [];
    this.problem = null;
    this.busy = false;
  }

  static override styles = [
    base,
    filters,
    formStyles,
    b2bStyles,
    css`
      ul.list { list-style: none; padding: 0; margin: 0; }
      .reasons { margin: 0.2rem 0; padding-left: 1.2rem; }
      .score { font-weight: 700; color: var(--brand); }
      .filters { grid-template-columns: 1fr 1fr; }
    `,
  ];

  private stopLang: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    // The server words the reasons in the request's language: ask again in the new one.
    this.stopLang = onLangChange(() => {
      if (this.suggested?.length) void this.readSuggestions();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.searching.cancel();
    this.stopLang?.();
  }

  protected override async refresh(): Promise<void> {
    const me = await signedInPerson();
    if (typeof me === "string") {
      this.state = me;
      return;
    }
    if (this.state === "ready") return;
    this.state = "ready";
    const [{ mine }, exhibitors] = await Promise.all([
      myMeetings().catch(() => ({ mine: null })),
      allExhibitors(),
    ]);
    this.myNeeds = mine?.profile?.needs ?? [];
    const codes = new Set(["MA", ...exhibitors.map((x) => x.country)]);
    this.countries = [...codes]
      .map((id) => ({ id, name: countryName(id) }))
      .sort((a, b) => a.name.localeCompare(b.name, lang()));
    await Promise.all([this.readSuggestions(), this.search()]);
  }

  private async readSuggestions(): Promise<void> {
    try {
      this.suggested = await matches();
    } catch {
      // No matching on this server yet, or no network: the directory is enough.
      this.suggested = null;
    }
  }

  private filter(text: string = this.query.trim()): DirectoryFilter {
    return {
      search: text || null,
      sectors: this.sector ? [this.sector] : null,
      countries: this.country ? [this.country] : null,
      offers: this.offersMyNeeds && this.myNeeds.length ? this.myNeeds : null,
    };
  }

  private async search(after: string | null = null): Promise<void> {
    this.searching.cancel();
    this.busy = true;
    this.problem = null;
    try {
      const page = await directory(this.filter(), after);
      this.page = after && this.page ? { ...page, nodes: [...this.page.nodes, ...page.nodes] } : page;
    } catch (error) {
      this.problem = problemOf(error);
    } finally {
      this.busy = false;
    }
  }

  private choose(part: { sector?: string; country?: string; offersMyNeeds?: boolean }): void {
    Object.assign(this, part);
    void this.search();
  }

  private tags(label: string, items: string[]): TemplateResult | typeof nothing {
    if (!items.length) return nothing;
    return html`<p class="line"><span class="muted">${label}</span> ${items.slice(0, 6).join(" · ")}</p>`;
  }

  private profileCard(p: Profile, extra: TemplateResult | typeof nothing = nothing): TemplateResult {
    return html`<li class="card" data-profile-id=${p.id}>
      <h3><a href="/b2b/company/${encodeURIComponent(p.id)}">${p.company}</a></h3>
      <p class="line muted">
        ${countryName(p.country)}${p.sectors.length ? ` · ${p.sectors.map(sectorName).join(", ")}` : ""}
        ${p.exhibitor ? html`<span class="badge exhibitor">${w("exhibitor")}</span>` : nothing}
      </p>
      ${extra} ${this.tags(s("offers"), p.offers)} ${this.tags(s("needs"), p.needs)}
    </li>`;
  }

  private suggestions(): TemplateResult | typeof nothing {
    const found = this.suggested;
    if (found === null) return nothing;
    const shown = this.allSuggestions ? found : found.slice(0, FEW);
    return html`<section aria-labelledby="suggestions-title" data-testid="suggestions">
      <h2 id="suggestions-title">${s("suggestions")}</h2>
      ${found.length
        ? html`<p class="muted">${s("suggestionsHint")}</p>
            <ul class="list">
              ${shown.map((m) =>
                this.profileCard(
                  m.profile,
                  html`<p class="score">${s("score", { n: Math.round(m.score * 100) })}</p>
                    ${m.reasons.length
                      ? html`<ul class="reasons">
                          ${m.reasons.map((r) => html`<li>${r}</li>`)}
                        </ul>`
                      : nothing}`,
                ),
              )}
            </ul>
            ${found.length > shown.length
              ? html`<button @click=${() => (this.allSuggestions = true)}>
                  ${s("moreSuggestions", { n: found.length })}
                </button>`
              : nothing}`
        : html`<p class="muted">${s("noSuggestions")}</p>`}
    </section>`;
  }

  private directoryList(): TemplateResult {
    const page = this.page;
    const sectors = SECTOR_IDS.map((id) => ({ id, name: sectorName(id) }));
    return html`<section aria-labelledby="directory-title">
      <h2 id="directory-title">${s("directory")}</h2>
      ${searchBox(
        s("searchLabel"),
        s("search"),
        s("clear"),
        this.query,
        (e) => {
          this.query = (e.target as HTMLInputElement).value;
          this.searching.typed(this.query);
        },
        () => {
          this.query = "";
          void this.search();
        },
      )}
      <details>
        <summary>${s("filters")}</summary>
        <div class="filters">
          ${filterSelect("sector", s("sector"), s("all"), this.sector, sectors, (v) => this.choose({ sector: v }))}
          ${filterSelect("country", s("country"), s("all"), this.country, this.countries, (v) =>
            this.choose({ country: v }),
          )}
        </div>
        ${this.myNeeds.length
          ? html`<label class="check">
              <input type="checkbox" .checked=${this.offersMyNeeds}
                @change=${(e: Event) => this.choose({ offersMyNeeds: (e.target as HTMLInputElement).checked })} />
              ${s("offersMyNeeds")}
            </label>`
          : nothing}
      </details>
      ${problemBox(this.problem)}
      ${page
        ? html`<p class="muted" aria-live="polite" data-testid="count">
              ${page.totalCount === 1 ? s("one") : s("count", { n: page.totalCount })}
            </p>
            ${page.nodes.length
              ? html`<ul class="list" data-testid="directory">${page.nodes.map((p) => this.profileCard(p))}</ul>`
              : html`<p>${s("none")}</p>`}
            ${page.pageInfo.hasNextPage
              ? html`<button ?disabled=${this.busy} @click=${() => void this.search(page.pageInfo.endCursor)}>
                  ${s("more")}
                </button>`
              : nothing}`
        : html`<p role="status">${s("loading")}</p>`}
    </section>`;
  }

  override render(): TemplateResult {
    const heading = html`<h1>${w("companies")}</h1>`;
    if (this.state === "signed-out") return signInPrompt(heading, w("signIn"));
    return html`${heading}${b2bNav("/b2b/companies")} ${this.suggestions()} ${this.directoryList()}`;
  }
}

customElements.define("b2b-companies-screen", B2bCompaniesScreen);
