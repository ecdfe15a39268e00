// Times as the fair's clocks read them. The server sends every instant with the
// offset Africa/Casablanca has at that instant by current IANA data (the server's
// copy, kept up to date with the fair). We print the wall clock that string reads,
// never a conversion through the phone's own zone data, which may be stale or
// simply another zone: an attendee from Dakar or Paris sees the hall's clocks.

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export interface WallClock {
  /** "2026-12-03": the fair's calendar day of this instant. */
  day: string;
  hour: number;
  minute: number;
  /** "+00:00" as the server wrote it ("Z" reads "+00:00"). */
  offset: string;
}

export function wallClock(iso: string): WallClock {
  const m = ISO.exec(iso);
  if (!m) throw new Error(`not an ISO-8601 instant with an offset: ${iso}`);
  return {
    day: `${m[1]}-${m[2]}-${m[3]}`,
    hour: Number(m[4]),
    minute: Number(m[5]),
    offset: m[7] === "Z" ? "+00:00" : m[7],
  };
}

const two = (n: number): string => String(n).padStart(2, "0");

/** "09:30", the 24-hour clock used at the fair (and in French). */
export function clockTime(iso: string): string {
  const w = wallClock(iso);
  return `${two(w.hour)}:${two(w.minute)}`;
}

/** "09:30–10:15". */
export function timeRange(startIso: string, endIso: string): string {
  return `${clockTime(startIso)}–${clockTime(endIso)}`;
}

/** The fair's calendar day of an instant, "2026-12-03". */
export function fairDay(iso: string): string {
  return wallClock(iso).day;
}

/** "UTC+00:00", to label times with the offset the server gave. */
export function offsetLabel(iso: string): string {
  return `UTC${wallClock(iso).offset}`;
}

/**
 * "jeudi 3 décembre" / "Thursday 3 December" for a calendar day "2026-12-03".
 * The day is formatted in UTC on purpose: it is a date, not an instant, and UTC
 * has no rules to get wrong.
 */
export function dayName(day: string, lang: string, style: "long" | "short" = "long"): string {
  return dayFormat(lang, style).format(new Date(`${day}T12:00:00Z`));
}

// Making an Intl formatter costs far more than using one: one per language and style.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(lang: string, style: "long" | "short"): Intl.DateTimeFormat {
  const key = `${lang}/${style}`;
  let format = dayFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "fr-FR", {
      timeZone: "UTC",
      weekday: style,
      day: "numeric",
      month: style === "long" ? "long" : "short",
    });
    dayFormats.set(key, format);
  }
  return format;
}

/** Milliseconds since the epoch: for ordering and "now / next", never for display. */
export function instant(iso: string): number {
  return Date.parse(iso);
}

/**
 * An instant written as the fair's wall clock reads it, for a mutation's input:
 * "2026-12-03T14:00" with the fair's current offset (taken from a server value).
 */
export function withOffset(localDateTime: string, offset: string): string {
  return `${localDateTime}:00${offset}`;
}
