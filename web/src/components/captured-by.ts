// In the account: the stands that scanned my badge (me.capturedBy), newest first,
// so a visitor knows who holds their name and e-mail. Online only: left out offline.
import { html, type TemplateResult, nothing } from "lit";
import { SalonElement } from "../app/salon-element";
import { base } from "../app/styles";
import { graphql } from "../lib/api";
import { clockTime, dayName, fairDay } from "../lib/fair-time";
import { lang, strings } from "../lib/i18n";

const s = strings({
  fr: {
    title: "Exposants qui ont scanné mon badge",
    none: "Aucun exposant n'a scanné votre badge.",
    at: "{day} à {time}",
  },
  en: {
    title: "Exhibitors who scanned my badge",
    none: "No exhibitor has scanned your badge.",
    at: "{day} at {time}",
  },
});

const CAPTURED_BY = `query CapturedBy { me { capturedBy { exhibitor { id name } capturedAt } } }`;

interface Capture {
  exhibitor: { id: string; name: string };
  capturedAt: string;
}

export class CapturedBy extends SalonElement {
  static override properties = { captures: { state: true } };
  /** null: not read (offline, or not yet). */
  declare captures: Capture[] | null;

  constructor() {
    super();
    this.captures = null;
  }

  static override styles = [base];

  protected override async refresh(): Promise<void> {
    try {
      const { me } = await graphql<{ me: { capturedBy: Capture[] } | null }>(CAPTURED_BY);
      this.captures = me?.capturedBy ?? [];
    } catch {
      // Offline or refused: the account shows without it.
    }
  }

  override render(): TemplateResult | typeof nothing {
    const captures = this.captures;
    if (captures === null) return nothing;
    return html`<h2>${s("title")}</h2>
      ${captures.length
        ? html`<ul data-testid="captured-by">
            ${captures.map(
              (c) => html`<li>
                <a href="/exhibitor/${encodeURIComponent(c.exhibitor.id)}">${c.exhibitor.name}</a>
                <span class="muted">
                  · ${s("at", { day: dayName(fairDay(c.capturedAt), lang(), "short"), time: clockTime(c.capturedAt) })}</span
                >
              </li>`,
            )}
          </ul>`
        : html`<p class="muted">${s("none")}</p>`}`;
  }
}

customElements.define("captured-by", CapturedBy);
