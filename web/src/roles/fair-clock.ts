// Times typed into a form are the fair's wall clock ("14:00" on the hall's clocks),
// whatever zone the phone is set to. They become an instant with the offset the
// fair's clocks have that day, read from a value the server wrote for that day: the
// phone's own zone data is never asked (it may be stale, or another zone).
import { graphql } from "../lib/api";
import { allSessions, eventRecord } from "../lib/db";
import { fairDay, wallClock, withOffset } from "../lib/fair-time";

const DAYS = `query FairDays { event { days } }`;
const ONE_OF_DAY = `query OneOfDay($day: Date!) { sessions(filter: { day: $day }, first: 1) { nodes { startsAt } } }`;

/** The fair's days: from the offline copy, else from the server. */
export async function fairDays(): Promise<string[]> {
  const event = await eventRecord();
  if (event) return event.days;
  const answer = await graphql<{ event: { days: string[] } }>(DAYS);
  return answer.event.days;
}

/**
 * The offset of the fair's clocks on `day` ("+00:00"), from a session of that day in
 * the offline copy, else from the server; null when neither has one. One offset per
 * day is enough: the fair's zone changes no clock during the fair's days.
 */
export async function offsetOn(day: string): Promise<string | null> {
  const local = (await allSessions()).find((x) => fairDay(x.startsAt) === day);
  if (local) return wallClock(local.startsAt).offset;
  try {
    const answer = await graphql<{ sessions: { nodes: { startsAt: string }[] } }>(ONE_OF_DAY, { day });
    const first = answer.sessions.nodes[0];
    return first ? wallClock(first.startsAt).offset : null;
  } catch {
    return null;
  }
}

/** "2026-12-03" and "14:00" as an instant on the fair's clocks, for a mutation's input. */
export async function fairInstant(day: string, time: string): Promise<string> {
  const offset = await offsetOn(day);
  // Without an offset the server reads a DateTime as fair time: right, only less explicit.
  return offset ? withOffset(`${day}T${time}`, offset) : `${day}T${time}:00`;
}

/** Minutes since midnight of a time input's "HH:MM", to compare or shift times. */
export function minutes(time: string): number {
  const [hours, mins] = time.split(":").map(Number);
  return hours * 60 + mins;
}

/** "HH:MM" of minutes since midnight (kept within the day). */
export function clockOf(total: number): string {
  const bounded = Math.min(Math.max(total, 0), 23 * 60 + 59);
  return `${String(Math.floor(bounded / 60)).padStart(2, "0")}:${String(bounded % 60).padStart(2, "0")}`;
}
