// One session as an iCalendar file (RFC 5545), made on the phone so "add to
// calendar" works offline too. Like the server's feeds, times are UTC instants
// (DTSTART:20261203T093000Z) with no TZID: an app that trusts its own, possibly
// stale, rules for Africa/Casablanca would otherwise move the event by an hour.
// Same UID as the feed, so a calendar that has both keeps one event.

export interface IcsEvent {
  id: string;
  version: number;
  status: string;
  startsAt: string;
  endsAt: string;
  title: string;
  description: string | null;
  location: string | null;
  url: string;
}

const UID_DOMAIN = "sistep2026.salon.example";

/** The same feed for a calendar app to subscribe to: webcal: opens it there. */
export function webcalUrl(url: string): string {
  return url.replace(/^https?:/, "webcal:");
}

/** The whole programme's feed on this server (GET /schedule.ics, public). */
export function programmeFeedUrl(origin: string = location.origin): string {
  return new URL("/schedule.ics", origin).href;
}

/** "20261203T093000Z": the instant in UTC (instant arithmetic, no zone data). */
export function utcStamp(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/** TEXT values escape backslash, semicolon, comma and line breaks (RFC 5545 §3.3.11). */
function text(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

const encoder = new TextEncoder();

/** Lines longer than 75 octets are folded (§3.1), never inside a UTF-8 character. */
function fold(line: string): string {
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    // Continuation lines start with a space, which counts towards their 75.
    if (octets + size > 75) {
      parts.push(current);
      current = " ";
      octets = 1;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n");
}

export function sessionIcs(event: IcsEvent, now: Date = new Date()): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Salon//SISTEP INDUSTRIEL 2026//FR",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    // For display only: every time below is UTC.
    "X-WR-TIMEZONE:Africa/Casablanca",
    "BEGIN:VEVENT",
    `UID:${event.id}@${UID_DOMAIN}`,
    `DTSTAMP:${utcStamp(now.toISOString())}`,
    `DTSTART:${utcStamp(event.startsAt)}`,
    `DTEND:${utcStamp(event.endsAt)}`,
    `SEQUENCE:${event.version}`,
    `STATUS:${event.status === "CANCELLED" ? "CANCELLED" : "CONFIRMED"}`,
    `SUMMARY:${text(event.title)}`,
    ...(event.location ? [`LOCATION:${text(event.location)}`] : []),
    ...(event.description ? [`DESCRIPTION:${text(event.description)}`] : []),
    `URL:${event.url}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return lines.map(fold).join("\r\n") + "\r\n";
}

/** Save a file through a Blob URL (no inline script, no server round trip). */
export function download(filename: string, body: string, type = "text/calendar;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = filename;
  anchor.click();
  // Revoked later, not at once: some browsers read the Blob after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
