// The offline copy in IndexedDB (through `idb`): the public agenda, the venue, the
// signed-in person's schedule, their notices and the queue of changes made offline.
import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import type {
  EventRecord,
  ExhibitorRecord,
  NoticeRecord,
  SessionRecord,
  SpeakerRecord,
} from "./model";

export interface OutboxEntry {
  key?: number;
  /** What to send once the network is back; replayed in order, each idempotent. */
  action: "bookmark" | "unbookmark";
  sessionId: string;
}

interface SalonDB extends DBSchema {
  sessions: { key: string; value: SessionRecord; indexes: { startsAt: string } };
  exhibitors: { key: string; value: ExhibitorRecord };
  speakers: { key: string; value: SpeakerRecord };
  /** Notices in the order they arrived, which is cursor order; `id` is unique. */
  notices: { key: number; value: NoticeRecord; indexes: { id: string } };
  outbox: { key: number; value: OutboxEntry };
  /** Single values: the agenda version, the event, the venue, me, the notice cursor. */
  kv: { key: string; value: unknown };
}

export type Store = IDBPDatabase<SalonDB>;

let opening: Promise<Store> | null = null;

export function db(): Promise<Store> {
  opening ??= openDB<SalonDB>("salon", 1, {
    upgrade(database) {
      database.createObjectStore("sessions", { keyPath: "id" }).createIndex("startsAt", "startsAt");
      database.createObjectStore("exhibitors", { keyPath: "id" });
      database.createObjectStore("speakers", { keyPath: "id" });
      database
        .createObjectStore("notices", { autoIncrement: true })
        .createIndex("id", "id", { unique: true });
      database.createObjectStore("outbox", { keyPath: "key", autoIncrement: true });
      database.createObjectStore("kv");
    },
  });
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
const byName = new Intl.Collator("fr");

/** A complete copy being written: screens read it from memory until it is stored. */
let pinned: Record<string, unknown[]> | null = null;
let pinnedEvent: EventRecord | null = null;

export interface WholeLists {
  sessions: SessionRecord[];
  exhibitors: ExhibitorRecord[];
  speakers: SpeakerRecord[];
}

/** In the order the stores give them back (IndexedDB sorts by key). */
export function inStoreOrder(lists: WholeLists): WholeLists {
  const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return {
    sessions: [...lists.sessions].sort((a, b) => byKey(a.startsAt, b.startsAt) || byKey(a.id, b.id)),
    exhibitors: [...lists.exhibitors].sort((a, b) => byName.compare(a.name, b.name)),
    speakers: [...lists.speakers].sort((a, b) => byKey(a.id, b.id)),
  };
}

/** Serve these lists from memory while they are written, then as `version`'s. */
export function pinLists(lists: WholeLists, event: EventRecord): void {
  pinned = { ...lists };
  pinnedEvent = event;
}

export function unpinLists(version: string): void {
  if (!pinned) return;
  for (const [name, rows] of Object.entries(pinned)) lists.set(name, { version, rows: Promise.resolve(rows) });
  pinned = null;
  pinnedEvent = null;
}

async function perVersion<T>(name: string, read: () => Promise<T[]>): Promise<T[]> {
  if (pinned) return pinned[name] as T[];
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

export function allExhibitors(): Promise<ExhibitorRecord[]> {
  return perVersion("exhibitors", async () => {
    const rows = await (await db()).getAll("exhibitors");
    return rows.sort((a, b) => byName.compare(a.name, b.name));
  });
}

export function allSpeakers(): Promise<SpeakerRecord[]> {
  return perVersion("speakers", async () => (await db()).getAll("speakers"));
}

export async function eventRecord(): Promise<EventRecord | undefined> {
  return pinnedEvent ?? getValue<EventRecord>("event");
}

/** Tell every screen that some part of the offline copy changed. */
export function announce(part: "agenda" | "me" | "notices" | "venue" | "outbox"): void {
  window.dispatchEvent(new CustomEvent("salon-data", { detail: part }));
}

export function onData(listener: (part: string) => void): () => void {
  const handler = (event: Event): void => listener((event as CustomEvent<string>).detail);
  window.addEventListener("salon-data", handler);
  return () => window.removeEventListener("salon-data", handler);
}
