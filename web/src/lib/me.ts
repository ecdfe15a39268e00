// The signed-in person as the phone last saw them: roles, schedule (bookmarks and
// registrations with each session's details, and the conflicts), followed exhibitors.
// Kept in IndexedDB so "My schedule" opens offline; refreshed on start, on sign-in,
// on reconnect, after each change and when a notice says one of their sessions moved.
import { ApiError, graphql, OfflineError } from "./api";
import { SESSION_FIELDS } from "./agenda-sync";
import { onAuthChange, setToken, token } from "./auth";
import { announce, db, getValue, type OutboxEntry, setValue } from "./db";
import type { SessionRecord } from "./model";

export type RegistrationStatus = "REGISTERED" | "WAITLISTED";

/**
 * One session of the plan. The details come with `me` when online; an entry made
 * offline has only its id, and the screen takes the details from the agenda copy.
 */
export type PlanEntry = {
  id: string;
  viewerHasBookmarked: boolean;
  viewerRegistration: RegistrationStatus | null;
} & Partial<Omit<SessionRecord, "id">>;

export interface Conflict {
  first: { id: string };
  second: { id: string };
  kind: "OVERLAP" | "TOO_FAR_TO_WALK";
  walkingMinutes: number | null;
}

export interface MeRecord {
  id: string;
  name: string | null;
  email: string | null;
  roles: string[];
  calendarUrl: string;
  schedule: { sessions: PlanEntry[]; conflicts: Conflict[] };
  followedExhibitors: { id: string }[];
  speaker: { id: string } | null;
  exhibitor: { id: string; name: string } | null;
}

export const ME_FIELDS = `id name email roles calendarUrl
  schedule {
    sessions { viewerHasBookmarked viewerRegistration ${SESSION_FIELDS} }
    conflicts { first { id } second { id } kind walkingMinutes }
  }
  followedExhibitors { id }
  speaker { id }
  exhibitor { id name }`;

const ME = `query Me { me { ${ME_FIELDS} } }`;
const RENEW = `mutation RenewCalendar { renewCalendarUrl }`;

/** True when a token is on the phone, even before its person is loaded. */
export function signedIn(): boolean {
  return token() !== null;
}

export async function currentMe(): Promise<MeRecord | null> {
  if (!token()) return null;
  return (await getValue<MeRecord>("me")) ?? null;
}

/** The plan with one bookmark set or cleared (a registration keeps its entry). */
export function withBookmark(me: MeRecord, sessionId: string, bookmarked: boolean): MeRecord {
  const entry = me.schedule.sessions.find((x) => x.id === sessionId);
  let sessions: PlanEntry[];
  if (entry?.viewerRegistration) {
    sessions = me.schedule.sessions.map((x) => (x.id === sessionId ? { ...x, viewerHasBookmarked: bookmarked } : x));
  } else {
    sessions = me.schedule.sessions.filter((x) => x.id !== sessionId);
    if (bookmarked) sessions.push({ ...entry, id: sessionId, viewerHasBookmarked: true, viewerRegistration: null });
  }
  return { ...me, schedule: { ...me.schedule, sessions } };
}

/** The server's answer with what is still waiting in the outbox on top, so nothing flickers. */
function withPending(me: MeRecord, pending: OutboxEntry[]): MeRecord {
  return pending.reduce((plan, entry) => withBookmark(plan, entry.sessionId, entry.action === "bookmark"), me);
}

// Only the answer to the latest request is kept: an older one may arrive last.
let latestRequest = 0;

/** Ask the server who we are; offline, keep what we had. A dead token signs out. */
export async function refreshMe(): Promise<MeRecord | null> {
  const bearer = token();
  if (!bearer) return null;
  const ticket = ++latestRequest;
  let me: MeRecord | null;
  try {
    ({ me } = await graphql<{ me: MeRecord | null }>(ME));
  } catch (error) {
    if (error instanceof ApiError && error.code === "UNAUTHENTICATED" && token() === bearer) {
      await signOutLocally();
      return null;
    }
    if (error instanceof OfflineError || error instanceof ApiError) return currentMe();
    throw error;
  }
  // Signed out or in as someone else meanwhile: this answer is not theirs.
  if (token() !== bearer || ticket !== latestRequest) return currentMe();
  if (!me) {
    await signOutLocally();
    return null;
  }
  const database = await db();
  // Checked again in the turn the transaction opens: IndexedDB runs writes in the order they
  // open, so a newer answer (or a renewed calendar link) always lands after this one.
  if (ticket !== latestRequest) return currentMe();
  const tx = database.transaction(["kv", "outbox"], "readwrite");
  const shown = withPending(me, await tx.objectStore("outbox").getAll());
  await tx.objectStore("kv").put(shown, "me");
  await tx.done;
  announce("me");
  return shown;
}

/** Kept beside "me": the person's business profile and meetings (b2b/data.ts). */
const B2B_KEY = "b2b";

/** Forget the person's plan, meetings and queued changes (live.ts forgets their notices). */
async function forgetPersonalData(): Promise<void> {
  const database = await db();
  const tx = database.transaction(["kv", "outbox"], "readwrite");
  const kv = tx.objectStore("kv");
  await Promise.all([kv.delete("me"), kv.delete(B2B_KEY), tx.objectStore("outbox").clear()]);
  await tx.done;
  announce("me");
  announce("outbox");
  announce("b2b");
}

/** A new person on this phone: nothing of the previous one is kept. */
export async function signInLocally(newToken: string, me: MeRecord | null = null): Promise<void> {
  await forgetPersonalData();
  if (me) await setValue("me", me);
  setToken(newToken);
  announce("me");
}

/** Drop the token and everything personal (also when the server says the token is dead). */
export async function signOutLocally(): Promise<void> {
  setToken(null);
  await forgetPersonalData();
}

/** A new secret feed URL (the old one stops working); online only. */
export async function renewCalendarUrl(): Promise<string> {
  const { renewCalendarUrl: url } = await graphql<{ renewCalendarUrl: string }>(RENEW);
  latestRequest++; // a refresh asked before the renewal would bring back the old link
  const me = await currentMe();
  if (me) {
    await setValue("me", { ...me, calendarUrl: url });
    announce("me");
  }
  return url;
}

export async function startPersonalSync(): Promise<void> {
  onAuthChange(() => {
    announce("me");
    void refreshMe();
  });
  await refreshMe();
}
