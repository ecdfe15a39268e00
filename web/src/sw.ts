/// <reference lib="webworker" />
// The service worker: the app shell is precached (the manifest is injected at
// build time), every app path opens index.html offline, and a new version waits
// until the page asks it to take over (the "new version — reload" prompt).
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";

declare const self: ServiceWorkerGlobalScope;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The first visit is served offline at once, without waiting for a reload. An update
// still waits (no skipWaiting here) until the page asks for it.
clientsClaim();

// Paths the server answers itself, never the app shell.
const SERVER_PATHS = [/^\/graphql/, /^\/calendar\//, /^\/venue\.geojson/, /^\/healthz/, /^\/readyz/, /^\/metrics/, /^\/embed\//];

registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: SERVER_PATHS }));

self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});
