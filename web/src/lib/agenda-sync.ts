// Keeps the offline copy of the public agenda fresh with `agendaChanges(since:)`:
// the first time (or when the server no longer knows our version) it answers with
// everything; afterwards only what changed. Called on start, on reconnect and when
// a SESSION_CHANGED / SESSION_CANCELLED notice arrives.
import { ApiError } from "./api";
import { runSyncRequest, type SyncReply } from "./agenda-store";
import { token } from "./auth";
import { announce, db, getValue } from "./db";
import { lang } from "./i18n";
import { inWorker } from "./worker-client";

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

let settleFirst: () => void = () => undefined;
const firstSettled = new Promise<void>((resolve) => (settleFirst = resolve));

/** Settles when this page's first agenda sync did, whatever came of it. */
export function firstSyncSettled(): Promise<void> {
  return firstSettled;
}

/** One sync at a time: a notice arriving during a sync waits for it, then syncs again. */
export function syncAgenda(): Promise<SyncResult> {
  const next = (running ?? Promise.resolve("unchanged" as SyncResult))
    .catch(() => "offline" as SyncResult)
    .then(runSync);
  running = next;
  next.then(settleFirst, settleFirst);
  return next;
}

async function runSync(): Promise<SyncResult> {
  const since = (await getValue<string>("agendaVersion")) ?? null;
  const request = { document: SYNC, since, token: token(), lang: lang() };
  const reply = await inWorker<SyncReply>({ job: "agenda", ...request }, () => runSyncRequest(request, db));
  if (reply.result === "error") {
    throw reply.code === "WORKER" ? new Error(reply.message) : new ApiError(reply.message, reply.code);
  }
  if (reply.result === "offline") return "offline";
  // The worker wrote IndexedDB: screens read the new copy from there.
  if (reply.result !== "unchanged") announce("agenda");
  // The floor plan has its own copy (lib/venue.ts, by ETag): tell it to look again.
  if (reply.venueChanged) window.dispatchEvent(new Event(VENUE_STALE));
  return reply.result;
}

/** True once the phone holds an agenda (it may be offline and still show it). */
export async function hasOfflineCopy(): Promise<boolean> {
  return (await getValue<string>("agendaVersion")) !== undefined;
}

