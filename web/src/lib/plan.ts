// Changes to the signed-in person's plan: bookmarks (queued while offline, sent in
// order when the network is back; each is idempotent and the server's state wins),
// registrations (online only: a seat is the server's to give).
import { ApiError, graphql, OfflineError } from "./api";
import { announce, db, setValue } from "./db";
import { currentMe, refreshMe, type MeRecord } from "./me";

const BOOKMARK = `mutation Bookmark($id: ID!) { bookmarkSession(sessionId: $id) { id } }`;
const UNBOOKMARK = `mutation Unbookmark($id: ID!) { removeBookmark(sessionId: $id) { id } }`;
const REGISTER = `mutation Register($id: ID!) { registerForSession(sessionId: $id) { status waitlistPosition } }`;
const UNREGISTER = `mutation Unregister($id: ID!) { cancelRegistration(sessionId: $id) }`;

export function isBookmarked(me: MeRecord | null, sessionId: string): boolean {
  return !!me?.schedule.sessions.find((x) => x.id === sessionId && x.viewerHasBookmarked);
}

/** Show the change at once in the stored plan, whether or not the network is there. */
async function applyLocally(sessionId: string, bookmarked: boolean): Promise<void> {
  const me = await currentMe();
  if (!me) return;
  const sessions = me.schedule.sessions.filter((x) => x.id !== sessionId || x.viewerRegistration);
  const entry = me.schedule.sessions.find((x) => x.id === sessionId);
  if (entry?.viewerRegistration) entry.viewerHasBookmarked = bookmarked;
  else if (bookmarked) sessions.push({ id: sessionId, viewerHasBookmarked: true, viewerRegistration: null });
  await setValue("me", { ...me, schedule: { ...me.schedule, sessions } });
  announce("me");
}

export async function setBookmark(sessionId: string, bookmarked: boolean): Promise<void> {
  await applyLocally(sessionId, bookmarked);
  const database = await db();
  await database.add("outbox", { action: bookmarked ? "bookmark" : "unbookmark", sessionId });
  announce("outbox");
  await flushOutbox();
}

let flushing: Promise<void> | null = null;
let flushAgain: Promise<void> | null = null;

/** Send what was queued, oldest first; stop at the first network failure. */
export function flushOutbox(): Promise<void> {
  if (flushing) {
    // The flush under way may have read the outbox before this call's entry was added
    // (a bookmark pressed while the start-up flush still waits for `me`): one more after it.
    flushAgain ??= flushing
      .catch(() => undefined)
      .then(() => {
        flushAgain = null;
        return flushOutbox();
      });
    return flushAgain;
  }
  flushing = (async () => {
    try {
      const database = await db();
      for (const entry of await database.getAll("outbox")) {
        try {
          await graphql(entry.action === "bookmark" ? BOOKMARK : UNBOOKMARK, { id: entry.sessionId });
        } catch (error) {
          if (error instanceof OfflineError) return;
          // NOT_FOUND, a cancelled session…: the server's state wins, drop the entry.
          if (!(error instanceof ApiError)) throw error;
        }
        await database.delete("outbox", entry.key as number);
      }
      announce("outbox");
      await refreshMe();
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

export async function pendingChanges(): Promise<number> {
  return (await db()).count("outbox");
}

export interface RegistrationAnswer {
  status: "REGISTERED" | "WAITLISTED";
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

window.addEventListener("online", () => void flushOutbox());
