// The offline copy in IndexedDB (through `idb`): the public agenda, the venue, the
// signed-in person's schedule, their notices and the queue of changes made offline.
import { openSalon, type Store } from "./db-open";
import type { EventRecord, ExhibitorRecord, SessionRecord, SpeakerRecord } from "./model";

export type { OutboxEntry, Store } from "./db-open";

let opening: Promise<Store> | null = null;

export function db(): Promise<Store> {
  opening ??= openSalon();
  return opening;
}

export async function getValue<T>(key: string): Promise<T | undefined> {
  return (await (await db()).get("kv", key)) as T | undefined;
}

export async function setValue(key: string, value: unknown): Promise<void> {
  await (await db()).put("kv", value, key);
}

// Whole lists are read once per agenda version, not at every re-render: on a phone each
// read is hundreds of structured clones on the main thread. Keyed by the stored version,
// so a sync made by another tab is seen too. Callers must not modify what they get.
const lists = new Map<string, { version: unknown; rows: Promise<unknown[]> }>();
// Made on first use: a collator loads locale data, not for the first screen to pay.
let collator: Intl.Collator | undefined;
const byName = (a: string, b: string): number => (collator ??= new Intl.Collator("fr")).compare(a, b);

async function perVersion<T>(name: string, read: () => Promise<T[]>): Promise<T[]> {
  const version = await getValue("agendaVersion");
  const hit = lists.get(name);
  if (hit && hit.version === version) return hit.rows as Promise<T[]>;
  const rows = read();
  lists.set(name, { version, rows });
  rows.catch(() => lists.delete(name));
  return rows;
}

export function allSessions(): Promise<SessionRecord[]> {
  return perVersion("sessions", async () => (await db()).getAllFromIndex("sessions", "startsAt"));
}

/** One fair day's sessions ("2026-12-03"): the day as the server wrote each start. */
export function sessionsOn(day: string): Promise<SessionRecord[]> {
  const range = IDBKeyRange.bound(day, `${day}\uffff`);
  return perVersion(`sessions/${day}`, async () => (await db()).getAllFromIndex("sessions", "startsAt", range));
}

export function allExhibitors(): Promise<ExhibitorRecord[]> {
  return perVersion("exhibitors", async () => {
    const rows = await (await db()).getAll("exhibitors");
    return rows.sort((a, b) => byName(a.name, b.name));
  });
}

export function allSpeakers(): Promise<SpeakerRecord[]> {
  return perVersion("speakers", async () => (await db()).getAll("speakers"));
}

export async function eventRecord(): Promise<EventRecord | undefined> {
  return getValue<EventRecord>("event");
}

/** Tell every screen that some part of the offline copy changed. */
export function announce(part: "agenda" | "me" | "notices" | "venue" | "outbox" | "b2b"): void {
  window.dispatchEvent(new CustomEvent("salon-data", { detail: part }));
}

export function onData(listener: (part: string) => void): () => void {
  const handler = (event: Event): void => listener((event as CustomEvent<string>).detail);
  window.addEventListener("salon-data", handler);
  return () => window.removeEventListener("salon-data", handler);
}
