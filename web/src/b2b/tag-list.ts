// A list of short phrases typed one by one ("usinage CNC", "fonderie"): a field and
// an Add button (Enter adds too, a comma separates several), each phrase a chip with
// its own Remove button. Properties in (label, hint, items); a `change` event out.
import { css, html, type TemplateResult } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { strings } from "../lib/i18n";
import { formStyles } from "../roles/form-styles";

const s = strings({
  fr: { add: "Ajouter", remove: "Retirer « {item} »", none: "Aucun pour l'instant.", full: "{max} au plus." },
  en: { add: "Add", remove: "Remove “{item}”", none: "None yet.", full: "{max} at most." },
});

/** As the server takes them (server/domain/meetings/profiles.py). */
const MAX_ITEMS = 30;
const MAX_ITEM = 120;

let made = 0;

export class TagList extends SalonElement {
  static override properties = {
    label: { attribute: false },
    hint: { attribute: false },
    items: { attribute: false },
  };
  declare label: string;
  declare hint: string;
  declare items: string[];
  private readonly key = `tags-${++made}`;

  constructor() {
    super();
    this.label = "";
    this.hint = "";
    this.items = [];
  }

  static override styles = [
    base,
    formStyles,
    css`
      .entry { display: flex; gap: 0.4rem; }
      .entry input { flex: 1; min-width: 0; }
      ul { display: flex; flex-wrap: wrap; gap: 0.35rem; list-style: none; padding: 0; margin: 0.4rem 0 0; }
      li {
        display: inline-flex;
        align-items: center;
        gap: 0.2rem;
        border: 1px solid var(--line-strong);
        border-radius: 1.2rem;
        padding-left: 0.7rem;
        background: var(--surface);
      }
      li button { border: 0; border-radius: 1.2rem; background: transparent; font-weight: 700; }
    `,
  ];

  private get field(): HTMLInputElement {
    return this.renderRoot.querySelector("input") as HTMLInputElement;
  }

  private add(): void {
    const typed = this.field.value
      .split(",")
      .map((x) => x.replace(/\s+/g, " ").trim().slice(0, MAX_ITEM))
      .filter(Boolean);
    const known = new Set(this.items.map((x) => x.toLocaleLowerCase()));
    const added = typed.filter((x) => !known.has(x.toLocaleLowerCase()) && known.add(x.toLocaleLowerCase()));
    this.field.value = "";
    if (!added.length) return;
    this.set([...this.items, ...added].slice(0, MAX_ITEMS));
  }

  private drop(item: string): void {
    this.set(this.items.filter((x) => x !== item));
    this.field.focus();
  }

  private set(items: string[]): void {
    this.items = items;
    this.dispatchEvent(new CustomEvent("change", { detail: items, bubbles: true, composed: true }));
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key !== "Enter") return;
    // Enter adds the phrase; it never sends the form around this list.
    event.preventDefault();
    this.add();
  }

  override render(): TemplateResult {
    const id = this.key;
    const full = this.items.length >= MAX_ITEMS;
    return html`<label for="${id}-input">${this.label}</label>
      <p class="hint" id="${id}-hint">${this.hint} ${full ? s("full", { max: MAX_ITEMS }) : ""}</p>
      <div class="entry">
        <input id="${id}-input" type="text" maxlength=${MAX_ITEM * 3} autocomplete="off" aria-describedby="${id}-hint"
          ?disabled=${full} @keydown=${this.onKey} />
        <button type="button" ?disabled=${full} @click=${() => this.add()}>${s("add")}</button>
      </div>
      ${this.items.length
        ? html`<ul aria-label=${this.label}>
            ${this.items.map(
              (item) => html`<li>
                <span>${item}</span>
                <button type="button" aria-label=${s("remove", { item })} @click=${() => this.drop(item)}>×</button>
              </li>`,
            )}
          </ul>`
        : html`<p class="hint">${s("none")}</p>`}`;
  }
}

customElements.define("tag-list", TagList);
