// Web Push from the page: can this phone get notifications, are they on, and turning them
// on (only from a tap: the browser asks the person) or off. The service worker (sw.ts)
// shows what arrives. Nothing here throws: every failure comes back as a problem to say.
import { ApiError, graphql, OfflineError } from "./api";
import { gqlLang } from "./i18n";
import { applicationServerKey, rememberedPushLang, rememberPushLang, subscriptionInput } from "./push-shared";

export type PushState = "unsupported" | "needs-home-screen" | "denied" | "off" | "on";

export type PushProblem =
  /** The person closed the browser's question without answering. */
  | "dismissed"
  /** The browser could not reach its push service (FCM, Mozilla's, Apple's). */
  | "unreachable"
  /** Allowed, yet this browser gives no push here (a private window, a guest profile). */
  | "refused"
  | "offline"
  | "signedOut"
  /** The server's limit of devices per person. */
  | "tooManyDevices"
  /** The service worker is not installed yet (first visit, still downloading). */
  | "notReady"
  | "failed"
  /** Turning off failed: the subscription is still there. */
  | "stillOn";

export interface PushResult {
  state: PushState;
  problem: PushProblem | null;
}

const KEY = `query PushKey { pushPublicKey }`;
const REGISTER = `mutation RegisterPush($input: PushSubscriptionInput!) { registerPushSubscription(input: $input) }`;
const UNREGISTER = `mutation UnregisterPush($endpoint: String!) { unregisterPushSubscription(endpoint: $endpoint) }`;
/** How long turning on waits for the service worker's first install. */
const READY_MS = 10_000;
/**
 * How long turning on waits for the push service. A browser that cannot reach it (venue
 * Wi-Fi blocking FCM) keeps retrying without an answer; a reachable one answers in a second or two.
 */
const SUBSCRIBE_MS = 15_000;

/** iPhone, iPod, or an iPad (which says "Macintosh" but has a touch screen). */
export function isIos(): boolean {
  const ua = navigator.userAgent;
  return /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
}

/** Opened from the Home Screen icon rather than in a browser tab. */
function standalone(): boolean {
  return matchMedia("(display-mode: standalone)").matches || (navigator as { standalone?: boolean }).standalone === true;
}

function supported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

async function registration(): Promise<ServiceWorkerRegistration | null> {
  return (await navigator.serviceWorker.getRegistration("/")) ?? null;
}

async function currentSubscription(): Promise<PushSubscription | null> {
  return (await (await registration())?.pushManager.getSubscription()) ?? null;
}

/** What is known at once, without asking the service worker: null when it may be on or off. */
function settledState(): PushState | null {
  // iOS and iPadOS give push only to an app added to the Home Screen (16.4 and later).
  if (isIos() && !standalone()) return "needs-home-screen";
  if (!supported()) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  return null;
}

export async function pushState(): Promise<PushState> {
  const settled = settledState();
  if (settled) return settled;
  if (Notification.permission !== "granted") return "off";
  try {
    return (await currentSubscription()) ? "on" : "off";
  } catch {
    return "off";
  }
}

function problemOf(error: unknown): PushProblem {
  if (error instanceof OfflineError) return "offline";
  if (error instanceof ApiError) {
    if (error.code === "UNAUTHENTICATED") return "signedOut";
    if (error.code === "RATE_LIMITED") return "tooManyDevices";
  }
  return "failed";
}

/** The promise's value, or null once `ms` have passed without one. */
function within<T>(work: Promise<T>, ms: number): Promise<T | null> {
  return Promise.race([work, new Promise<null>((resolve) => setTimeout(() => resolve(null), ms))]);
}

/** The push service's subscription for this key: the phone's own if it has the key, else a new one. */
async function subscribe(worker: ServiceWorkerRegistration, key: Uint8Array<ArrayBuffer>): Promise<PushSubscription> {
  const existing = await worker.pushManager.getSubscription();
  if (existing) {
    const known = existing.options.applicationServerKey;
    const same = known && known.byteLength === key.length && new Uint8Array(known).every((byte, i) => byte === key[i]);
    if (same) return existing;
    // Made with another key (the server's was replaced): subscribe() would refuse.
    await existing.unsubscribe();
  }
  return worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
}

function subscribeFailure(error: unknown): PushResult {
  const name = error instanceof DOMException ? error.name : "";
  // The permission was taken back meanwhile.
  if (name === "NotAllowedError" || Notification.permission === "denied") return { state: "denied", problem: null };
  // Chromium's private windows answer "permission denied" though notifications are allowed.
  if (name === "AbortError" && /permission/i.test(String((error as Error).message))) return { state: "off", problem: "refused" };
  // Anything else ("push service error"): the browser's push service is out of reach.
  return { state: "off", problem: "unreachable" };
}

/** Call from a tap only: the browser's question needs one, and asking unprompted is rude. */
export async function turnOn(): Promise<PushResult> {
  const settled = settledState();
  if (settled) return { state: settled, problem: null };
  // First, while the tap still counts: Safari refuses the question after other awaits.
  const permission = await Notification.requestPermission();
  if (permission === "denied") return { state: "denied", problem: null };
  if (permission !== "granted") return { state: "off", problem: "dismissed" };
  const worker = await within(navigator.serviceWorker.ready, READY_MS);
  if (!worker) return { state: "off", problem: "notReady" };
  let key: Uint8Array<ArrayBuffer>;
  try {
    key = applicationServerKey((await graphql<{ pushPublicKey: string }>(KEY)).pushPublicKey);
  } catch (error) {
    return { state: "off", problem: problemOf(error) };
  }
  let subscription: PushSubscription | null;
  const subscribing = subscribe(worker, key);
  try {
    subscription = await within(subscribing, SUBSCRIBE_MS);
  } catch (error) {
    return subscribeFailure(error);
  }
  if (!subscription) {
    // We said "not turned on": a subscription that comes after all must not linger unknown to the server.
    void subscribing.then((late) => late.unsubscribe()).catch(() => false);
    return { state: "off", problem: "unreachable" };
  }
  const lang = gqlLang();
  const input = subscriptionInput(subscription, lang);
  try {
    if (!input) throw new Error("a subscription without keys");
    await graphql(REGISTER, { input });
  } catch (error) {
    // The server does not know it: no subscription left behind that looks "on".
    await subscription.unsubscribe().catch(() => false);
    return { state: "off", problem: problemOf(error) };
  }
  await rememberPushLang(lang).catch(() => undefined);
  return { state: "on", problem: null };
}

/**
 * Unsubscribe here first (that alone stops every push: the push service then answers
 * the server "gone"), then tell the server, which may fail offline without harm.
 */
export async function turnOff(): Promise<PushResult> {
  let subscription: PushSubscription | null;
  try {
    subscription = await currentSubscription();
  } catch {
    subscription = null;
  }
  if (!subscription) return { state: await pushState(), problem: null };
  const endpoint = subscription.endpoint;
  try {
    await subscription.unsubscribe();
  } catch {
    return { state: await pushState(), problem: "stillOn" };
  }
  await graphql(UNREGISTER, { endpoint }).catch(() => undefined);
  return { state: await pushState(), problem: null };
}

/** After the language changed: the server words the next notifications in the new one. */
export async function keepPushLang(): Promise<void> {
  const lang = gqlLang();
  if ((await pushState()) !== "on" || (await rememberedPushLang().catch(() => lang)) === lang) return;
  const subscription = await currentSubscription().catch(() => null);
  const input = subscription && subscriptionInput(subscription, lang);
  if (!input) return;
  try {
    await graphql(REGISTER, { input });
    await rememberPushLang(lang);
  } catch {
    // Offline or refused: tried again next time the toggle shows.
  }
}
