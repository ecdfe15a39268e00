// The agenda sync off the main thread: the complete answer is ~250 KB of JSON, and its
// parse plus hundreds of IndexedDB writes were one long task on a phone's first visit.
// Receives a SyncRequest (lib/agenda-store.ts) with an `id`, posts back the SyncReply.
import { runSyncRequest, type SyncReply, type SyncRequest } from "./agenda-store";
import { openSalon, type Store } from "./db-open";

let opening: Promise<Store> | null = null;
const database = (): Promise<Store> => (opening ??= openSalon());

self.addEventListener("message", (event: MessageEvent<SyncRequest & { id: number }>) => {
  const { id, ...request } = event.data;
  runSyncRequest(request, database)
    .catch((error: unknown): SyncReply => ({ result: "error", code: "WORKER", message: String(error) }))
    .then((reply) => self.postMessage({ id, ...reply }));
});
