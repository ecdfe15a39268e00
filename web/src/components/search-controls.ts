// The search box and filter selects of a list screen (agenda, exhibitors), and the
// search run as the person types. Their look is `filters` in app/styles.ts.
import { html, nothing, type TemplateResult } from "lit";

export interface Option {
  id: string;
  name: string;
}

/** A search box; the clear button shows once something is typed. */
export function searchBox(
  label: string,
  placeholder: string,
  clear: string,
  query: string,
  typed: (event: Event) => void,
  cleared: () => void,
): TemplateResult {
  return html`<div class="search" role="search">
    <label class="visually-hidden" for="search">${label}</label>
    <input
      id="search"
      type="search"
      placeholder=${placeholder}
      .value=${query}
      @input=${typed}
      enterkeyhint="search"
      autocomplete="off"
    />
    ${query ? html`<button @click=${cleared}>${clear}</button>` : nothing}
  </div>`;
}

/** One filter: "all" (the empty value) first, then the values the data holds. */
export function filterSelect(
  key: string,
  label: string,
  all: string,
  value: string,
  options: Option[],
  chosen: (value: string) => void,
): TemplateResult {
  const id = `filter-${key}`;
  return html`<div>
    <label for=${id}>${label}</label>
    <select id=${id} .value=${value} @change=${(e: Event) => chosen((e.target as HTMLSelectElement).value)}>
      <option value="" ?selected=${!value}>${all}</option>
      ${options.map((o) => html`<option value=${o.id} ?selected=${o.id === value}>${o.name}</option>`)}
    </select>
  </div>`;
}

export interface TypedSearch {
  /** The text as it is now: searched a moment after the last key, not at each one. */
  typed(text: string): void;
  /** Forget the pending and the running search (cleared, or the screen left). */
  cancel(): void;
}

/**
 * A search run as the person types, its answer given to `found` only if no later
 * search started meanwhile: a slow answer must not replace a newer one. `run` may
 * answer null (too short to search).
 */
export function typedSearch<T>(
  run: (text: string, signal: AbortSignal) => Promise<T | null>,
  found: (hits: T | null) => void,
): TypedSearch {
  let timer = 0;
  let running: AbortController | null = null;
  const now = async (text: string): Promise<void> => {
    running?.abort();
    const controller = (running = new AbortController());
    try {
      const hits = await run(text, controller.signal);
      if (!controller.signal.aborted) found(hits);
    } catch (error) {
      if ((error as Error).name !== "AbortError") found(null);
    }
  };
  return {
    typed(text) {
      clearTimeout(timer);
      timer = window.setTimeout(() => void now(text.trim()), 250);
    },
    cancel() {
      clearTimeout(timer);
      running?.abort();
    },
  };
}
