// The offline copy's downloads off the main thread: the agenda's complete answer is
// ~250 KB of JSON and the floor map ~90 KB; their parse plus the IndexedDB writes were
// long tasks on a phone's first visit. Receives a WorkerJob (lib/worker-client.ts)
// with an `id` and posts back its small reply: the rows stay in IndexedDB.
import { runSyncRequest, type SyncReply } from "./agenda-store";
import { openSalon, type Store } from "./db-open";
import { fetchVenueInto } from "./venue-store";
import type { WorkerJob, WorkerReply } from "./worker-client";

let opening: Promise<Store> | null = null;
const database = (): Promise<Store> => (opening ??= openSalon());

function run(job: WorkerJob): Promise<WorkerReply> {
  if (job.job === "venue") return fetchVenueInto(database).catch((): WorkerReply => "offline");
  const { job: _, ...request } = job;
  return runSyncRequest(request, database).catch(
    (error: unknown): SyncReply => ({ result: "error", code: "WORKER", message: String(error) }),
  );
}

self.addEventListener("message", (event: MessageEvent<{ id: number; job: WorkerJob }>) => {
  const { id, job } = event.data;
  void run(job).then((reply) => self.postMessage({ id, reply }));
});
