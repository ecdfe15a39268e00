// Opens the offline store (IndexedDB through `idb`). Kept apart from db.ts, which talks
// to `window`, so the sync worker (lib/sync-worker.ts) can open the same database.
import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import type { ExhibitorRecord, NoticeRecord, SessionRecord, SpeakerRecord } from "./model";

export interface OutboxEntry {
  key?: number;
  /** What to send once the network is back; replayed in order, each idempotent. */
  action: "bookmark" | "unbookmark";
  sessionId: string;
}

export interface SalonDB extends DBSchema {
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

export function openSalon(): Promise<Store> {
  return openDB<SalonDB>("salon", 1, {
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
}
