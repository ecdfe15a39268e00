// Who hears about live notices and the socket's state. Kept apart from lib/live.ts,
// so the screens can listen without the first download carrying the socket client
// (graphql-ws), which main.ts loads once the agenda is there.
import type { NoticeRecord } from "./model";

type NoticeListener = (notice: NoticeRecord) => void;
type StatusListener = (connected: boolean) => void;

const noticeListeners = new Set<NoticeListener>();
const statusListeners = new Set<StatusListener>();

/** Called for each new notice, after it is stored (never for a repeat, never for history). */
export function onNotice(listener: NoticeListener): () => void {
  noticeListeners.add(listener);
  return () => noticeListeners.delete(listener);
}

/** Called with true when the socket is up, false when it dropped. */
export function onLiveStatus(listener: StatusListener): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

export function tellNotice(notice: NoticeRecord): void {
  noticeListeners.forEach((listener) => listener(notice));
}

/** Listeners, and `<html data-live>` (for styles, and for tests to wait on). */
export function tell(connected: boolean): void {
  document.documentElement.dataset.live = connected ? "connected" : "disconnected";
  statusListeners.forEach((listener) => listener(connected));
}
