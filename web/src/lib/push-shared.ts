// What the page (lib/push.ts) and the service worker (sw.ts) share about Web Push, so it
// uses nothing but IndexedDB and plain data: the server's subscription input, the VAPID
// key's decoding, and what is kept on the phone — the notices already shown (the server
// sends at least once, and a repeat must not buzz twice) and the language the subscription
// was registered in (a renewal in the service worker, which cannot read localStorage,
// keeps it). A database of its own: the offline copy's upgrades never touch it.
import { type DBSchema, type IDBPDatabase, openDB } from "idb";

export type PushLang = "FR" | "EN";

/** The server's PushSubscriptionInput. */
export interface PushSubscriptionInput {
  endpoint: string;
  expirationTime: number | null;
  keys: { p256dh: string; auth: string };
  lang: PushLang | null;
}

export const RENEW_PUSH = `mutation RenewPush($oldEndpoint: String!, $oldAuth: String!, $input: PushSubscriptionInput!) {
  renewPushSubscription(oldEndpoint: $oldEndpoint, oldAuth: $oldAuth, input: $input)
}`;

/** The browser's subscription as the server takes it; null when it lacks its keys. */
export function subscriptionInput(subscription: PushSubscription, lang: PushLang | null): PushSubscriptionInput | null {
  const json = subscription.toJSON();
  const p256dh = json.keys?.p256dh;
  const auth = json.keys?.auth;
  if (!json.endpoint || !p256dh || !auth) return null;
  return { endpoint: json.endpoint, expirationTime: json.expirationTime ?? null, keys: { p256dh, auth }, lang };
}

/** The VAPID public key (base64url, as the server gives it) as the bytes subscribe() takes. */
export function applicationServerKey(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Enough to catch the server's retries, which come within minutes, not days. */
export const SHOWN_KEPT = 200;

interface PushDB extends DBSchema {
  /** Oldest first (auto-increment key); `notice` is unique. */
  shown: { key: number; value: { notice: string }; indexes: { notice: string } };
  kv: { key: string; value: unknown };
}

let opened: Promise<IDBPDatabase<PushDB>> | null = null;

function pushDb(): Promise<IDBPDatabase<PushDB>> {
  if (!opened) {
    opened = openDB<PushDB>("salon-push", 1, {
      upgrade(database) {
        database.createObjectStore("shown", { autoIncrement: true }).createIndex("notice", "notice", { unique: true });
        database.createObjectStore("kv");
      },
    });
    // A failed open (storage blocked) is tried again next time.
    opened.catch(() => (opened = null));
  }
  return opened;
}

/**
 * True the first time a notice id is seen, false for a repeat. The look-up and the
 * write are one readwrite transaction, so two deliveries of one notice handled at
 * once cannot both answer true.
 */
export async function firstShowing(notice: string): Promise<boolean> {
  const tx = (await pushDb()).transaction("shown", "readwrite");
  if ((await tx.store.index("notice").getKey(notice)) !== undefined) {
    await tx.done;
    return false;
  }
  await tx.store.add({ notice });
  let extra = (await tx.store.count()) - SHOWN_KEPT;
  for (let cursor = await tx.store.openCursor(); cursor && extra > 0; extra--) {
    await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
  return true;
}

export async function rememberPushLang(lang: PushLang): Promise<void> {
  await (await pushDb()).put("kv", lang, "lang");
}

export async function rememberedPushLang(): Promise<PushLang | null> {
  const value = await (await pushDb()).get("kv", "lang");
  return value === "FR" || value === "EN" ? value : null;
}
