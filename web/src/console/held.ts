// The announcements this console scheduled for later ("send later"), kept in
// IndexedDB per organiser. The server has no query that lists held announcements
// (schema/schema.graphql: only `withdrawAnnouncement(id)`), so the console can offer
// to withdraw only those it sent itself, from this phone.
import { getValue, setValue } from "../lib/db";
import { instant } from "../lib/fair-time";

export interface HeldRecord {
  /** "pending-…": the id a held announcement has until the relay sends it. */
  id: string;
  title: string;
  sendAt: string;
}

const key = (organiserId: string): string => `consoleHeld:${organiserId}`;

/** Those not yet due: once due the relay has sent them and they cannot be withdrawn. */
export async function heldAnnouncements(organiserId: string): Promise<HeldRecord[]> {
  const all = (await getValue<HeldRecord[]>(key(organiserId))) ?? [];
  const pending = all.filter((x) => instant(x.sendAt) > Date.now());
  if (pending.length !== all.length) await setValue(key(organiserId), pending);
  return pending.sort((a, b) => instant(a.sendAt) - instant(b.sendAt));
}

export async function keepHeld(organiserId: string, record: HeldRecord): Promise<void> {
  const all = (await getValue<HeldRecord[]>(key(organiserId))) ?? [];
  await setValue(key(organiserId), [...all.filter((x) => x.id !== record.id), record]);
}

export async function forgetHeld(organiserId: string, id: string): Promise<void> {
  const all = (await getValue<HeldRecord[]>(key(organiserId))) ?? [];
  await setValue(
    key(organiserId),
    all.filter((x) => x.id !== id),
  );
}
