// Changes to the signed-in person's plan: bookmarks (queued while offline, sent in
// order when the network is back; each is idempotent and the server's state wins),
// registrations (online only: a seat is the server's to give).
import { ApiError, graphql, OfflineError } from "./api";
import { announce, db } from "./db";
import { onLiveStatus } from "./live-events";
import { refreshMe, signedIn, withBookmark, type MeRecord, type RegistrationStatus } from "./me";

const BOOKMARK = `mutation Bookmark($id: ID!) { bookmarkSession(sessionId: $id) { id } }`;
const UNBOOKMARK = `mutation Unbookmark($id: ID!) { removeBookmark(sessionId: $id) { id } }`;
const REGISTER = `mutation Register($id: ID!) { registerForSession(sessionId: $id) { status waitlistPosition } }`;
const UNREGISTER = `mutation Unregister($id: ID!) { cancelRegistration(sessionId: $id) }`;

export function isBookmarked(me: MeRecord | null, sessionId: string): boolean {
  return !!me?.schedule.sessions.find((x) => x.id === sessionId && x.viewerHasBookmarked);
}

/**
 * Show the change at once and queue it, in one transaction: a refresh of `me` that
 * lands meanwhile either sees the queued entry (and keeps it on top) or comes first.
 */
export async function setBookmark(sessionId: string, bookmarked: boolean): Promise<void> {
  if (!signedIn()) return;
  const database = await db();
  const tx = database.transaction(["kv", "outbox"], "readwrite");
  const me = (await tx.objectStore("kv").get("me")) as MeRecord | undefined;
  if (me) await tx.objectStore("kv").put(withBookmark(me, sessionId, bookmarked), "me");
  await tx.objectStore("outbox").add({ action: bookmarked ? "bookmark" : "unbookmark", sessionId });
  await tx.done;
  announce("me");
  announce("outbox");
  await flushOutbox();
}

let flushing: Promise<void> | null = null;
let again = false;

/**
 * Send what was queued, oldest first; stop at the first network failure (the next
 * `online` event or reconnect tries again). An entry queued while a flush runs is
 * sent by that same flush.
 */
export function flushOutbox(): Promise<void> {
  again = true;
  flushing ??= (async () => {
    try {
      do {
        while (again) {
          again = false;
          if (!(await sendQueued())) return;
        }
        await refreshMe();
      } while (again);
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

/** False when the network failed (what is left stays queued). */
async function sendQueued(): Promise<boolean> {
  const database = await db();
  for (const entry of await database.getAll("outbox")) {
    if (!signedIn()) return true;
    try {
      await graphql(entry.action === "bookmark" ? BOOKMARK : UNBOOKMARK, { id: entry.sessionId });
    } catch (error) {
      if (error instanceof OfflineError) return false;
      // NOT_FOUND, a cancelled session, a dead token…: the server's state wins, drop the entry.
      if (!(error instanceof ApiError)) throw error;
    }
    await database.delete("outbox", entry.key as number);
    announce("outbox");
  }
  return true;
}

export async function pendingChanges(): Promise<number> {
  return (await db()).count("outbox");
}

export interface RegistrationAnswer {
  status: RegistrationStatus;
  waitlistPosition: number | null;
}

export async function register(sessionId: string): Promise<RegistrationAnswer> {
  const { registerForSession } = await graphql<{ registerForSession: RegistrationAnswer }>(REGISTER, {
    id: sessionId,
  });
  await refreshMe();
  return registerForSession;
}

export async function cancelRegistration(sessionId: string): Promise<void> {
  await graphql(UNREGISTER, { id: sessionId });
  await refreshMe();
}

// The network is back (the phone says so, or the live socket reconnected): send the
// queue, then read the plan again, which also catches what changed meanwhile.
window.addEventListener("online", () => void flushOutbox());
onLiveStatus((connected) => {
  if (connected) void flushOutbox();
});
