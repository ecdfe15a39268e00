// Live notices over graphql-transport-ws (the `graphql-ws` client). The cursor of
// the last notice seen is kept in IndexedDB and in the subscription's variables
// object: graphql-ws sends that same object again on every reconnect, so a phone
// back from ten minutes offline resumes after the latest notice it has, and the
// server replays exactly what it missed, in order, once each.
import { type Client, createClient } from "graphql-ws";
import { graphql } from "./api";
import { onAuthChange, token } from "./auth";
import { announce, db, getValue } from "./db";
import { refreshMe, signOutLocally } from "./me";
import { tell, tellNotice } from "./live-events";
import type { NoticeRecord } from "./model";

export const NOTICE_FIELDS = `id kind priority createdAt
  titleFr: title(lang: FR) titleEn: title(lang: EN)
  bodyFr: body(lang: FR) bodyEn: body(lang: EN)
  session { id } exhibitor { id } meeting { id }`;

const SUBSCRIPTION = `subscription Notices($after: ID) { notices(after: $after) { ${NOTICE_FIELDS} } }`;
const HISTORY = `query NoticeHistory($after: ID) { notices(after: $after, first: 50) { ${NOTICE_FIELDS} } }`;
const HISTORY_PAGE = 50;
/** "0": before the first notice of the log. */
const START = "0";
/** Notices that change what "me" shows (a moved session, a seat that freed up). */
const PLAN_KINDS = new Set(["SESSION_CHANGED", "SESSION_CANCELLED", "WAITLIST_PROMOTED"]);
/** Close code of a token that is not valid any more (signed out, expired). */
const TOKEN_REVOKED = 4403;

let client: Client | null = null;
let unsubscribe: (() => void) | null = null;
let wakeUp: (() => void) | null = null;
/** Bumped at each sign-in or sign-out: notices of an older socket are someone else's. */
let generation = 0;
let queue: Promise<void> = Promise.resolve();

function socketUrl(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/graphql`;
}

/**
 * Backoff between reconnects, cut short when the phone says it is online again;
 * while it says it is offline, one attempt a minute only (in case no `online` event
 * ever comes).
 */
function retryWait(retries: number): Promise<void> {
  const backoff = Math.min(1000 * 2 ** retries, 15_000) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => {
    const timer = setTimeout(done, navigator.onLine ? backoff : 60_000);
    function done(): void {
      clearTimeout(timer);
      wakeUp = null;
      resolve();
    }
    wakeUp = done;
  });
}

/** Store notices once each, in order, and move the cursor; returns those that were new. */
async function keep(notices: NoticeRecord[], mine: number): Promise<NoticeRecord[]> {
  const database = await db();
  const tx = database.transaction(["notices", "kv"], "readwrite");
  // Checked as the transaction starts: a sign-out's clearing is queued after it.
  if (mine !== generation || !notices.length) {
    await tx.done;
    return [];
  }
  const store = tx.objectStore("notices");
  const fresh: NoticeRecord[] = [];
  for (const notice of notices) {
    if ((await store.index("id").getKey(notice.id)) !== undefined) continue;
    await store.add({ ...notice, read: false });
    fresh.push(notice);
  }
  await tx.objectStore("kv").put(notices[notices.length - 1].id, "noticeCursor");
  await tx.done;
  if (fresh.length) announce("notices");
  return fresh;
}

/**
 * A phone with no cursor yet (new, or a new person on it) reads the log over HTTP
 * first and keeps it quietly: the banner is for what happens from now on, not for
 * yesterday's announcements. Offline, the subscription replays it instead.
 */
async function readHistory(mine: number): Promise<string> {
  let after = START;
  try {
    for (;;) {
      const { notices } = await graphql<{ notices: NoticeRecord[] }>(HISTORY, { after });
      if (mine !== generation) return after;
      await keep(notices, mine);
      if (notices.length) after = notices[notices.length - 1].id;
      if (notices.length < HISTORY_PAGE) return after;
    }
  } catch (error) {
    console.warn("notice history unavailable", error);
    return after;
  }
}

async function open(): Promise<void> {
  if (client) return;
  const mine = generation;
  // The socket speaks for the person signed in now; another one gets another socket.
  const bearer = token();
  let after = (await getValue<string | null>("noticeCursor")) ?? START;
  if (after === START) after = await readHistory(mine);
  if (mine !== generation) return;
  const payload = { query: SUBSCRIPTION, variables: { after } };
  client = createClient({
    url: socketUrl(),
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait,
    keepAlive: 20_000,
    connectionParams: () => (bearer ? { authorization: `Bearer ${bearer}` } : {}),
    on: {
      // A socket of an earlier person may still be closing: it speaks for nobody now.
      connected: () => {
        if (mine === generation) tell(true);
      },
      closed: (event) => {
        if (mine === generation) tell(false);
        // The token was revoked or expired: sign out here too, then carry on as a guest.
        const code = (event as CloseEvent | undefined)?.code;
        if (code === TOKEN_REVOKED && bearer && token() === bearer) void signOutLocally();
      },
    },
  });
  unsubscribe = client.subscribe<{ notices: NoticeRecord }>(payload, {
    next: (message) => {
      const notice = message.data?.notices;
      if (!notice || mine !== generation) return;
      // Resume after this one on the next reconnect, whatever happens below.
      payload.variables.after = notice.id;
      void keep([notice], mine).then((fresh) => {
        if (!fresh.length) return;
        if (PLAN_KINDS.has(notice.kind)) void refreshMe();
        tellNotice(notice);
      });
    },
    error: (error) => console.warn("notices subscription failed", error),
    complete: () => undefined,
  });
}

async function close(): Promise<void> {
  unsubscribe?.();
  const closing = client?.dispose();
  client = null;
  unsubscribe = null;
  await closing;
}

/** Start and restart one at a time, in the order asked. */
function serially(work: () => Promise<void>): Promise<void> {
  queue = queue.then(work).catch((error: unknown) => console.warn("live notices failed", error));
  return queue;
}

export function startLive(): Promise<void> {
  return serially(open);
}

/** Another person (or nobody) on this phone: their own log, from its start. */
function restartForNewPerson(): void {
  generation += 1;
  tell(false);
  void serially(async () => {
    await close();
    const database = await db();
    const tx = database.transaction(["notices", "kv"], "readwrite");
    await Promise.all([tx.objectStore("notices").clear(), tx.objectStore("kv").put(START, "noticeCursor")]);
    await tx.done;
    announce("notices");
    await open();
  });
}

window.addEventListener("online", () => wakeUp?.());
// A socket can outlive the network for minutes without noticing; drop it at once,
// and reconnect (with the latest cursor) when the phone is back online.
window.addEventListener("offline", () => client?.terminate());
onAuthChange(restartForNewPerson);
