// Start-up: show the offline copy at once, then bring it up to date, then go live.
import "./app.css";
import "./app/salon-app";
import { interceptLinks } from "./app/router";
import { syncAgenda, VENUE_STALE } from "./lib/agenda-sync";
import { lang } from "./lib/i18n";
import { whenIdle } from "./lib/idle";
import { onLiveStatus, onNotice } from "./lib/live-events";
import { startPersonalSync } from "./lib/me";
import { flushOutbox } from "./lib/plan";

document.documentElement.lang = lang();
interceptLinks(document);

/** Background work never breaks the page: the offline copy stands meanwhile. */
function quietly(work: Promise<unknown>): void {
  work.catch((error: unknown) => console.warn("background work failed", error));
}

// The floor map too, so the Map opens offline on a phone that never showed it online
// (its own small chunk: the first screen does not wait for it; a 304 when unchanged).
const syncVenue = (): void => quietly(import("./lib/venue").then((venue) => venue.syncVenue()));

// The agenda first: on a phone's first visit its download and storage fill the main
// thread, and the rest (the socket and its catch-up, the floor plan) can wait for it.
const agendaFirst = syncAgenda();
quietly(agendaFirst);
quietly(startPersonalSync().then(flushOutbox));
quietly(
  agendaFirst
    .catch(() => undefined)
    // …and once the agenda is drawn: the subscription replays from its cursor anyway.
    .then(() => whenIdle(1000))
    .then(() => {
      syncVenue();
      return import("./lib/live").then((live) => live.startLive());
    }),
);

// A reconnect may follow minutes offline: patch the agenda then (only what changed).
let wasConnected = false;
onLiveStatus((connected) => {
  if (connected && wasConnected) quietly(syncAgenda());
  if (connected) wasConnected = true;
});
onNotice((notice) => {
  if (notice.kind === "SESSION_CHANGED" || notice.kind === "SESSION_CANCELLED" || notice.kind === "DEMO_SCHEDULED") {
    quietly(syncAgenda());
  }
});
window.addEventListener("online", () => quietly(syncAgenda()));
window.addEventListener("online", syncVenue);
window.addEventListener(VENUE_STALE, syncVenue);
