// A searchable choice of place (booth, room or point of interest) for the route's
// "from" and "to": type a few letters of a code, an exhibitor or a room, accents
// and case ignored, then pick one of the matches. Emits `pick` with the place id.
import { html, css, nothing, LitElement, type PropertyValues, type TemplateResult } from "lit";
import { base } from "../app/styles";
import { onLangChange, strings } from "../lib/i18n";
import { poiBadge } from "./icons";
import { placeLabel, type Place } from "./plan";

const s = strings({
  fr: { hint: "Code de stand, exposant, salle…", matches: "Lieux trouvés", none: "Aucun lieu ne correspond." },
  en: { hint: "Booth code, exhibitor, room…", matches: "Places found", none: "No place matches." },
});

const MAX_MATCHES = 8;

export function folded(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

export class PlacePicker extends LitElement {
  static override properties = {
    label: {},
    places: { attribute: false },
    value: { attribute: false },
    query: { state: true },
    open: { state: true },
  };
  declare label: string;
  declare places: Place[];
  declare value: string | null;
  declare query: string;
  declare open: boolean;
  private stopLang: (() => void) | null = null;

  constructor() {
    super();
    this.label = "";
    this.places = [];
    this.value = null;
    this.query = "";
    this.open = false;
  }

  static override styles = [
    base,
    css`
      input { width: 100%; }
      ul { list-style: none; margin: 0.25rem 0 0; padding: 0; border: 1px solid var(--line); border-radius: 0.5rem; }
      li + li { border-top: 1px solid var(--line); }
      li button {
        width: 100%;
        justify-content: flex-start;
        text-align: left;
        border: 0;
        border-radius: 0;
      }
      .none { margin: 0.3rem 0; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    // The chosen place's name follows the language.
    this.stopLang = onLangChange(() => this.showValue());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopLang?.();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A venue refresh (network after IndexedDB, a live venueChanged) brings a
    // new places list; it must not wipe what the attendee is typing.
    if (changed.has("value") || (changed.has("places") && !this.open)) this.showValue();
  }

  private showValue(): void {
    const place = this.places.find((p) => p.id === this.value);
    this.query = place ? placeLabel(place) : "";
    this.open = false;
  }

  private found(): Place[] {
    const words = folded(this.query).split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    return this.places
      .filter((place) => {
        const text = folded(`${placeLabel(place)} ${place.name} ${place.nameEn}`);
        return words.every((word) => text.includes(word));
      })
      .slice(0, MAX_MATCHES);
  }

  private choose(place: Place): void {
    this.value = place.id;
    this.query = placeLabel(place);
    this.open = false;
    this.dispatchEvent(new CustomEvent("pick", { detail: place.id }));
    this.renderRoot.querySelector("input")?.focus();
  }

  private keydown(event: KeyboardEvent): void {
    if (event.key === "Escape") this.open = false;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      this.renderRoot.querySelector<HTMLButtonElement>("li button")?.focus();
    }
    if (event.key === "Enter") {
      const [first] = this.found();
      if (first) this.choose(first);
    }
  }

  private list(): TemplateResult | typeof nothing {
    if (!this.open) return nothing;
    const found = this.found();
    if (!found.length) return this.query.trim() ? html`<p class="muted none" role="status">${s("none")}</p>` : nothing;
    return html`<ul aria-label=${s("matches")}>
      ${found.map(
        (place) =>
          html`<li>
            <button type="button" data-place=${place.id} @click=${() => this.choose(place)}>
              ${place.kind === "poi" ? poiBadge(place.poiKind) : nothing} ${placeLabel(place)}
            </button>
          </li>`,
      )}
    </ul>`;
  }

  override render(): TemplateResult {
    return html`
      <label for="place">${this.label}</label>
      <input
        id="place"
        type="search"
        autocomplete="off"
        placeholder=${s("hint")}
        .value=${this.query}
        @input=${(e: Event) => {
          this.query = (e.target as HTMLInputElement).value;
          this.open = true;
        }}
        @keydown=${this.keydown}
      />
      ${this.list()}
    `;
  }
}

customElements.define("map-place-picker", PlacePicker);
