// French first, English second. Each module declares its own strings next to the
// code that shows them; the chosen language is remembered on the phone.

export type Lang = "fr" | "en";

const STORAGE_KEY = "salon.lang";
const CHANGED = "salon-lang";

function initial(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  return saved === "en" || saved === "fr" ? saved : "fr";
}

let current: Lang = initial();

export function lang(): Lang {
  return current;
}

/** The GraphQL enum value of the current language. */
export function gqlLang(): "FR" | "EN" {
  return current === "en" ? "EN" : "FR";
}

export function setLang(next: Lang): void {
  if (next === current) return;
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  window.dispatchEvent(new Event(CHANGED));
}

export function onLangChange(listener: () => void): () => void {
  window.addEventListener(CHANGED, listener);
  return () => window.removeEventListener(CHANGED, listener);
}

type Params = Record<string, string | number>;

/**
 * A module's strings: `const s = strings({ fr: {...}, en: {...} })`, then
 * `s("seatsLeft", { n: 3 })` replaces `{n}`. Both languages must name the same keys.
 */
export function strings<K extends string>(table: {
  fr: Record<K, string>;
  en: Record<K, string>;
}): (key: K, params?: Params) => string {
  return (key, params) => {
    let text = table[current][key];
    if (params) {
      for (const [name, value] of Object.entries(params)) {
        text = text.replaceAll(`{${name}}`, String(value));
      }
    }
    return text;
  };
}

/** Pick the current language's text of a bilingual value, French when English is missing. */
export function pick(fr: string | null | undefined, en: string | null | undefined): string {
  return (current === "en" ? en || fr : fr || en) ?? "";
}
