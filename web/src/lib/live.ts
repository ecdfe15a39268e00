// Live notices over graphql-transport-ws (the `graphql-ws` client). The cursor of
// the last notice seen is kept in IndexedDB and in the subscription's variables
// object: graphql-ws sends that same object again on every reconnect, so a phone
// back from ten minutes offline resumes after the latest notice it has, and the
// server replays exactly what it missed, in order, once each.
import { type Client, createClient } from "graphql-ws";
import { onAuthChange, setToken, token } from "./auth";
import { announce, db, getValue, setValue } from "./db";
import type { NoticeRecord } from "./model";

export const NOTICE_FIELDS = `id kind priority createdAt
  titleFr: title(lang: FR) titleEn: title(lang: EN)
  bodyFr: body(lang: FR) bodyEn: body(lang: EN)
  session { id } exhibitor { id }`;

const SUBSCRIPTION = `subscription Notices($after: ID) { notices(after: $after) { ${NOTICE_FIELDS} } }`;

type NoticeListener = (notice: NoticeRecord) => void;
type StatusListener = (connected: boolean) => void;

const noticeListeners = new Set<NoticeListener>();
const statusListeners = new Set<StatusListener>();

let client: Client | null = null;
let stop: (() => void) | null = null;
let wakeUp: (() => void) | null = null;

/** Called for each new notice, after it is stored (never for a repeat). */
export function onNotice(listener: NoticeListener): () => void {
  noticeListeners.add(listener);
  return () => noticeListeners.delete(listener);
}

/** Called with true when the socket is up, false when it dropped. */
export function onLiveStatus(listener: StatusListener): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

function socketUrl(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/graphql`;
}

/** Backoff between reconnects, cut short when the phone says it is online again. */
function retryWait(retries: number): Promise<void> {
  const ms = Math.min(1000 * 2 ** retries, 15_000) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      wakeUp = null;
      resolve();
    }
    wakeUp = done;
  });
}

/** Store a notice once; false when it was already there (a replay after a reconnect). */
async function keep(notice: NoticeRecord): Promise<boolean> {
  const database = await db();
  const tx = database.transaction(["notices", "kv"], "readwrite");
  const seen = await tx.objectStore("notices").index("id").getKey(notice.id);
  if (seen === undefined) {
    await tx.objectStore("notices").add({ ...notice, read: false });
  }
  await tx.objectStore("kv").put(notice.id, "noticeCursor");
  await tx.done;
  return seen === undefined;
}

export async function startLive(): Promise<void> {
  if (client) return;
  const payload = {
    query: SUBSCRIPTION,
    // "0": from the start of the log (a new phone, or a new person on it).
    variables: { after: (await getValue<string>("noticeCursor")) ?? "0" },
  };
  client = createClient({
    url: socketUrl(),
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait,
    keepAlive: 20_000,
    // Read at every (re)connect: a sign-in or sign-out takes effect on the next socket.
    connectionParams: () => {
      const bearer = token();
      return bearer ? { authorization: `Bearer ${bearer}` } : {};
    },
    on: {
      connected: () => statusListeners.forEach((listener) => listener(true)),
      closed: (event) => {
        statusListeners.forEach((listener) => listener(false));
        // 4403: the token was revoked or expired; carry on as a guest.
        if ((event as CloseEvent | undefined)?.code === 4403 && token()) setToken(null);
      },
    },
  });
  stop = client.subscribe<{ notices: NoticeRecord }>(payload, {
    next: (message) => {
      const notice = message.data?.notices;
      if (!notice) return;
      // Resume after this one on the next reconnect, whatever happens below.
      payload.variables.after = notice.id;
      void keep(notice).then((fresh) => {
        if (!fresh) return;
        announce("notices");
        noticeListeners.forEach((listener) => listener(notice));
      });
    },
    error: (error) => console.warn("notices subscription failed", error),
    complete: () => undefined,
  });
}

export async function restartLive(): Promise<void> {
  stop?.();
  await client?.dispose();
  client = null;
  stop = null;
  await startLive();
}

window.addEventListener("online", () => wakeUp?.());
// Another person signed in on this phone: their notices, from the start of their log.
onAuthChange(() => {
  void (async () => {
    await setValue("noticeCursor", null);
    await (await db()).clear("notices");
    announce("notices");
    await restartLive();
  })();
});
