/// <reference lib="webworker" />
// The service worker: the app shell is precached (the manifest is injected at
// build time), every app path opens index.html offline, and a new version waits
// until the page asks it to take over (the "new version — reload" prompt). Web Push
// notifications are shown, de-duplicated and opened here (below).
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { applicationServerKey, firstShowing, rememberedPushLang, RENEW_PUSH, subscriptionInput } from "./lib/push-shared";

declare const self: ServiceWorkerGlobalScope;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The first visit is served offline at once, without waiting for a reload. An update
// still waits (no skipWaiting here) until the page asks for it.
clientsClaim();

// Paths the server answers itself, never the app shell.
const SERVER_PATHS = [
  /^\/graphql/,
  /^\/calendar\//,
  /^\/venue\.geojson/,
  /^\/healthz/,
  /^\/readyz/,
  /^\/metrics/,
  /^\/embed\//,
  // The public exports: a tap on "download the programme" gets the file, not the app.
  /^\/schedule\.(xml|json|ics)$/,
  /^\/changes\.atom$/,
  /^\/exhibitors\.csv$/,
];

registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: SERVER_PATHS }));

self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});

// ---- Web Push --------------------------------------------------------------------------
// The server sends Declarative Web Push JSON (Safari shows it without us); here we show
// it ourselves with the app's icon, drop repeats, and open the app where it points.

/** What a push asks us to show, checked: a payload that is not this shows nothing. */
interface PushedNotice {
  title: string;
  options: NotificationOptions & { renotify?: boolean };
  notice: string | null;
}

/** What a shown notification carries for its click. */
interface ClickData {
  navigate: string;
  notice: string | null;
}

const ICON = "/icons/icon-192.png";
// White on transparent: Android draws only a badge's alpha.
const BADGE = "/icons/badge-96.png";
/** Where a notification without a usable link of ours opens: the notices inbox. */
const FALLBACK_PATH = "/notices";
// Bounds against a runaway payload; the server's own texts are far shorter.
const MAX_TITLE = 200;
const MAX_BODY = 2000;

const text = (value: unknown, max: number): string | null =>
  typeof value === "string" && value.trim() ? value.slice(0, max) : null;

/** An absolute URL of this app only (never another site, whatever the payload says). */
function ownUrl(value: unknown): string {
  if (typeof value === "string") {
    try {
      const url = new URL(value, self.location.origin);
      if (url.origin === self.location.origin) return url.href;
    } catch {
      // not a URL: the fallback below
    }
  }
  return new URL(FALLBACK_PATH, self.location.origin).href;
}

function parsePush(data: PushMessageData | null): PushedNotice | null {
  let payload: unknown;
  try {
    payload = JSON.parse(data?.text() ?? "");
  } catch {
    return null;
  }
  const notification = (payload as { notification?: unknown } | null)?.notification;
  if (typeof notification !== "object" || notification === null) return null;
  const n = notification as Record<string, unknown>;
  const title = text(n.title, MAX_TITLE);
  if (!title) return null;
  const extra = (typeof n.data === "object" && n.data !== null ? n.data : {}) as Record<string, unknown>;
  const notice = text(extra.notice, 100);
  const tag = text(n.tag, 200);
  const click: ClickData = { navigate: ownUrl(n.navigate), notice };
  return {
    title,
    notice,
    options: {
      body: text(n.body, MAX_BODY) ?? "",
      lang: n.lang === "en" || n.lang === "fr" ? n.lang : "fr",
      icon: ICON,
      badge: BADGE,
      // renotify without a tag is a TypeError: only with one.
      ...(tag ? { tag, renotify: true } : {}),
      silent: n.silent === true,
      requireInteraction: extra.priority === "URGENT",
      data: click,
    },
  };
}

/** Shown unless it is a repeat; a failing store shows it anyway (better twice than never). */
async function showPushed(pushed: PushedNotice): Promise<void> {
  const first = pushed.notice === null || (await firstShowing(pushed.notice).catch(() => true));
  if (first) await self.registration.showNotification(pushed.title, pushed.options);
}

// Pushes are shown one after the other, in the order they came.
let showing: Promise<void> = Promise.resolve();

self.addEventListener("push", (event) => {
  const pushed = parsePush(event.data);
  if (!pushed) return;
  showing = showing.then(() => showPushed(pushed)).catch((error: unknown) => console.warn("push not shown", error));
  event.waitUntil(showing);
});

/**
 * A notification's click: an open window of the app comes forward at the notice's page,
 * else a new one opens there. A plain function of the notification's data.
 */
async function openFromNotification(data: unknown): Promise<void> {
  const url = ownUrl((data as Partial<ClickData> | null)?.navigate);
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const target = windows.find((w) => w.url === url) ?? windows.find((w) => w.focused) ?? windows[0];
  if (target) {
    // focus() needs the click's permission to interact; without it, still navigate.
    const focused = await target.focus().catch(() => target);
    if (focused.url === url) return;
    // navigate() fails on a window this worker does not control: open one then.
    if (await focused.navigate(url).catch(() => null)) return;
  }
  await self.clients.openWindow(url);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openFromNotification(event.notification.data));
});

/** The VAPID key: the old subscription's, else the server's (a query: GET is enough). */
async function serverKey(old: PushSubscription): Promise<BufferSource> {
  const known = old.options?.applicationServerKey;
  if (known) return known;
  const response = await fetch(`/graphql?query=${encodeURIComponent("{ pushPublicKey }")}`, {
    headers: { accept: "application/json" },
  });
  const body = (await response.json()) as { data?: { pushPublicKey?: string } };
  const key = body.data?.pushPublicKey;
  if (!key) throw new Error(`no pushPublicKey (HTTP ${response.status})`);
  return applicationServerKey(key);
}

/**
 * The push service replaced or expired our subscription: subscribe again with the same
 * key and tell the server, proving it is us by the old subscription's auth secret (no
 * bearer token lives here).
 */
async function renewSubscription(old: PushSubscription, given: PushSubscription | null): Promise<void> {
  const before = old.toJSON();
  const oldAuth = before.keys?.auth;
  if (!before.endpoint || !oldAuth) return;
  const fresh =
    given ?? (await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: await serverKey(old) }));
  const input = subscriptionInput(fresh, await rememberedPushLang().catch(() => null));
  if (!input) return;
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: RENEW_PUSH, variables: { oldEndpoint: before.endpoint, oldAuth, input } }),
  });
  const body = (await response.json()) as { errors?: { message: string }[] };
  if (!response.ok || body.errors?.length) throw new Error(`renewPushSubscription: ${body.errors?.[0]?.message ?? response.status}`);
}

self.addEventListener("pushsubscriptionchange", (event) => {
  // Without the old subscription there is nothing to prove who we are: the app's toggle
  // subscribes again next time it is opened.
  if (!event.oldSubscription) return;
  event.waitUntil(
    renewSubscription(event.oldSubscription, event.newSubscription).catch((error: unknown) =>
      console.warn("push subscription not renewed", error),
    ),
  );
});
