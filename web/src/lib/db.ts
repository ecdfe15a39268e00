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

export async function allSessions(): Promise<SessionRecord[]> {
  return (await db()).getAllFromIndex("sessions", "startsAt");
}

export async function allExhibitors(): Promise<ExhibitorRecord[]> {
  const rows = await (await db()).getAll("exhibitors");
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

export async function allSpeakers(): Promise<SpeakerRecord[]> {
  return (await db()).getAll("speakers");
}

export async function eventRecord(): Promise<EventRecord | undefined> {
  return getValue<EventRecord>("event");
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
