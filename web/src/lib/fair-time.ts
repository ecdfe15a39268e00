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
 * "jeudi 3 décembre" / "Thursday 3 December" (short: "jeu. 3 déc." / "Thu 3 Dec")
 * for a calendar day "2026-12-03", as fr-FR and en-GB write it. From a table, not
 * Intl: the first Intl formatter a page makes loads the locale's data, a long task
 * on a phone's first screen, for fourteen words we know.
 */
export function dayName(day: string, lang: string, style: "long" | "short" = "long"): string {
  const [year, month, date] = day.split("-").map(Number);
  const weekday = weekdayOf(year, month, date);
  const names = lang === "en" ? EN : FR;
  if (style === "long") return `${names.weekdays[weekday]} ${date} ${names.months[month - 1]}`;
  return `${names.weekdaysShort[weekday]} ${date} ${names.monthsShort[month - 1]}`;
}

/**
 * Sunday = 0, by Sakamoto's rule for the Gregorian calendar: the first Date a page
 * makes loads the time-zone data, another long task the first screen need not pay.
 */
function weekdayOf(year: number, month: number, date: number): number {
  const y = month < 3 ? year - 1 : year;
  const shift = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4][month - 1];
  return (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + shift + date) % 7;
}

interface DayNames {
  weekdays: string[];
  weekdaysShort: string[];
  months: string[];
  monthsShort: string[];
}

// Sunday first, as Date.getUTCDay counts; the short forms are CLDR's abbreviated ones.
const FR: DayNames = {
  weekdays: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
  weekdaysShort: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
  months: [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
  ],
  monthsShort: [
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
  ],
};

const EN: DayNames = {
  weekdays: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
  weekdaysShort: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
  months: [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
  ],
  monthsShort: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"],
};

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
