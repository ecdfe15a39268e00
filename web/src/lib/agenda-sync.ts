// Keeps the offline copy of the public agenda fresh with `agendaChanges(since:)`:
// the first time (or when the server no longer knows our version) it answers with
// everything; afterwards only what changed. Called on start, on reconnect and when
// a SESSION_CHANGED / SESSION_CANCELLED notice arrives.
import { graphql, OfflineError } from "./api";
import { announce, db, getValue, inStoreOrder, pinLists, unpinLists } from "./db";
import type { AgendaPatch } from "./agenda-patch";

const TRACK = "id color nameFr: name(lang: FR) nameEn: name(lang: EN)";

export const SESSION_FIELDS = `id kind status startsAt endsAt capacity version updatedAt
  titleFr: title(lang: FR) titleEn: title(lang: EN)
  abstractFr: abstract(lang: FR) abstractEn: abstract(lang: EN)
  track { ${TRACK} }
  room { id name capacity center { x y } hall { id name level } }
  booth { id code center { x y } hall { id name level } }
  speakers { id } exhibitor { id }`;

export const EXHIBITOR_FIELDS = `id name country sectors website
  descriptionFr: description(lang: FR) descriptionEn: description(lang: EN)
  booths { id code center { x y } hall { id name level } }`;

export const SPEAKER_FIELDS = `id name organisation jobTitle
  bioFr: bio(lang: FR) bioEn: bio(lang: EN)`;

const SYNC = `query Sync($since: String) {
  agendaChanges(since: $since) {
    version complete venueChanged removedSessionIds removedExhibitorIds removedSpeakerIds
    sessions { ${SESSION_FIELDS} }
    exhibitors { ${EXHIBITOR_FIELDS} }
    speakers { ${SPEAKER_FIELDS} }
  }
  event { id nameFr: name(lang: FR) nameEn: name(lang: EN) timezone venueName city days
          tracks { ${TRACK} } }
}`;

/** Dispatched on window when the server says the venue changed since our version. */
export const VENUE_STALE = "salon-venue-stale";

export type SyncResult = "complete" | "patched" | "unchanged" | "offline";

let running: Promise<SyncResult> | null = null;

/** One sync at a time: a notice arriving during a sync waits for it, then syncs again. */
export function syncAgenda(): Promise<SyncResult> {
  const next = (running ?? Promise.resolve("unchanged" as SyncResult))
    .catch(() => "offline" as SyncResult)
    .then(runSync);
  running = next;
  return next;
}

async function runSync(): Promise<SyncResult> {
  const since = (await getValue<string>("agendaVersion")) ?? null;
  let answer: AgendaPatch;
  try {
    answer = await graphql<AgendaPatch>(SYNC, { since });
  } catch (error) {
    if (error instanceof OfflineError) return "offline";
    throw error;
  }
  const result = answer.agendaChanges.complete ? await replaceAll(answer) : await applyPatch(answer);
  if (result === "patched") announce("agenda");
  // The floor plan has its own copy (lib/venue.ts, by ETag): tell it to look again.
  if (answer.agendaChanges.venueChanged) window.dispatchEvent(new Event(VENUE_STALE));
  return result;
}

const SLICE = 40;

/**
 * A complete answer: shown from memory at once, then written in one transaction (a phone
 * closed halfway keeps its previous copy whole). The rows go in slices: each slice is
 * issued when the previous one is stored, so each runs in a task of its own and the page
 * stays responsive, and the transaction stays alive between them.
 */
async function replaceAll(answer: AgendaPatch): Promise<SyncResult> {
  const changes = answer.agendaChanges;
  const lists = inStoreOrder(changes);
  pinLists(lists, answer.event);
  announce("agenda");
  try {
    const database = await db();
    const tx = database.transaction(["sessions", "exhibitors", "speakers", "kv"], "readwrite");
    const stores = ["sessions", "exhibitors", "speakers"] as const;
    await Promise.all(stores.map((store) => tx.objectStore(store).clear()));
    for (const store of stores) {
      const rows: unknown[] = lists[store];
      for (let start = 0; start < rows.length; start += SLICE) {
        await Promise.all(rows.slice(start, start + SLICE).map((row) => tx.objectStore(store).put(row as never)));
      }
    }
    await Promise.all([
      tx.objectStore("kv").put(answer.event, "event"),
      tx.objectStore("kv").put(changes.version, "agendaVersion"),
    ]);
    await tx.done;
  } finally {
    unpinLists(changes.version);
  }
  // Screens that read IndexedDB itself (a session's page) see the stored copy now.
  announce("agenda");
  return "complete";
}

async function applyPatch(answer: AgendaPatch): Promise<SyncResult> {
  const changes = answer.agendaChanges;
  const database = await db();
  const tx = database.transaction(["sessions", "exhibitors", "speakers", "kv"], "readwrite");
  const sessions = tx.objectStore("sessions");
  const exhibitors = tx.objectStore("exhibitors");
  const speakers = tx.objectStore("speakers");
  const writes: Promise<unknown>[] = [
    ...changes.sessions.map((row) => sessions.put(row)),
    ...changes.exhibitors.map((row) => exhibitors.put(row)),
    ...changes.speakers.map((row) => speakers.put(row)),
    ...changes.removedSessionIds.map((id) => sessions.delete(id)),
    ...changes.removedExhibitorIds.map((id) => exhibitors.delete(id)),
    ...changes.removedSpeakerIds.map((id) => speakers.delete(id)),
    tx.objectStore("kv").put(answer.event, "event"),
    tx.objectStore("kv").put(changes.version, "agendaVersion"),
  ];
  await Promise.all(writes);
  await tx.done;
  const touched =
    changes.sessions.length +
    changes.exhibitors.length +
    changes.speakers.length +
    changes.removedSessionIds.length +
    changes.removedExhibitorIds.length +
    changes.removedSpeakerIds.length;
  return touched ? "patched" : "unchanged";
}

/** True once the phone holds an agenda (it may be offline and still show it). */
export async function hasOfflineCopy(): Promise<boolean> {
  return (await getValue<string>("agendaVersion")) !== undefined;
}

