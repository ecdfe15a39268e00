// Pick one or several items (sessions, exhibitors) out of a long list on a phone: a
// search box, the matches as checkboxes (or radio buttons for one), the items already
// chosen always on top. Properties in, a `picked` event out with the chosen ids.
import { html, css, nothing, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { strings } from "../lib/i18n";
import { fold } from "../lib/search";
import { formStyles } from "../roles/form-styles";

const s = strings({
  fr: {
    search: "Rechercher",
    more: "{n} autres résultats : précisez la recherche.",
    noMatch: "Rien ne correspond.",
    typeToSearch: "Tapez quelques lettres pour chercher.",
  },
  en: {
    search: "Search",
    more: "{n} more matches: narrow the search.",
    noMatch: "Nothing matches.",
    typeToSearch: "Type a few letters to search.",
  },
});

export interface PickItem {
  id: string;
  label: string;
  detail?: string;
}

/** Matches shown at once: more would be a wall of checkboxes on a phone. */
const SHOWN = 8;

export class PickList extends SalonElement {
  static override properties = {
    legend: { attribute: false },
    items: { attribute: false },
    selected: { attribute: false },
    multiple: { type: Boolean },
    query: { state: true },
  };
  declare legend: string;
  declare items: PickItem[];
  declare selected: string[];
  declare multiple: boolean;
  declare query: string;

  constructor() {
    super();
    this.legend = "";
    this.items = [];
    this.selected = [];
    this.multiple = false;
    this.query = "";
  }

  static override styles = [
    base,
    formStyles,
    css`
      ul {
        list-style: none;
        padding: 0;
        margin: 0.4rem 0 0;
      }
      label.check span.muted {
        display: block;
        font-size: 0.85rem;
      }
    `,
  ];

  private toggle(id: string, on: boolean): void {
    const chosen = this.multiple
      ? on
        ? [...this.selected, id]
        : this.selected.filter((x) => x !== id)
      : on
        ? [id]
        : [];
    // One to pick: the list folds up to the chosen item.
    if (!this.multiple) this.query = "";
    this.dispatchEvent(new CustomEvent<string[]>("picked", { detail: chosen, bubbles: true, composed: true }));
  }

  /** The matches not chosen yet (the chosen are on top), and whether anything matched at all. */
  private found(): { shown: PickItem[]; hidden: number; any: boolean } {
    const wanted = fold(this.query.trim());
    if (wanted.length < 2) return { shown: [], hidden: 0, any: false };
    const all = this.items.filter((x) => fold(`${x.id} ${x.label} ${x.detail ?? ""}`).includes(wanted));
    const open = all.filter((x) => !this.selected.includes(x.id));
    return { shown: open.slice(0, SHOWN), hidden: Math.max(0, open.length - SHOWN), any: all.length > 0 };
  }

  private row(item: PickItem): TemplateResult {
    const checked = this.selected.includes(item.id);
    return html`<li>
      <label class="check">
        <input
          type=${this.multiple ? "checkbox" : "radio"}
          name="pick"
          value=${item.id}
          .checked=${checked}
          @change=${(e: Event) => this.toggle(item.id, (e.target as HTMLInputElement).checked)}
        />
        <span>${item.label}${item.detail ? html`<span class="muted">${item.detail}</span>` : nothing}</span>
      </label>
    </li>`;
  }

  override render(): TemplateResult {
    const chosen = this.selected
      .map((id) => this.items.find((x) => x.id === id))
      .filter((x): x is PickItem => !!x);
    const { shown, hidden, any } = this.found();
    const searched = fold(this.query.trim()).length >= 2;
    return html`<fieldset>
      <legend>${this.legend}</legend>
      <ul>
        ${chosen.map((x) => this.row(x))}
      </ul>
      <label class="visually-hidden" for="pick-search">${s("search")} — ${this.legend}</label>
      <input
        id="pick-search"
        type="search"
        placeholder=${s("search")}
        autocomplete="off"
        .value=${this.query}
        @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
      />
      <ul aria-live="polite">
        ${shown.map((x) => this.row(x))}
      </ul>
      ${!searched && !chosen.length ? html`<p class="hint">${s("typeToSearch")}</p>` : nothing}
      ${searched && !any ? html`<p class="hint">${s("noMatch")}</p>` : nothing}
      ${hidden ? html`<p class="hint">${s("more", { n: hidden })}</p>` : nothing}
    </fieldset>`;
  }
}

customElements.define("pick-list", PickList);
