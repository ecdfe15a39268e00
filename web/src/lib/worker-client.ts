// The main thread's side of the sync worker (lib/sync-worker.ts): a job posted with an
// id, its small reply matched back by that id. Where there is no Worker, the same
// code runs here (`here`).
import type { SyncReply, SyncRequest } from "./agenda-store";
import type { VenueSync } from "./venue";

/** What the worker does: an agenda sync, or the floor map's. */
export type WorkerJob = ({ job: "agenda" } & SyncRequest) | { job: "venue" };
export type WorkerReply = SyncReply | VenueSync;

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, (reply: WorkerReply) => void>();

export function inWorker<T extends WorkerReply>(job: WorkerJob, here: () => Promise<T>): Promise<T> {
  if (typeof Worker === "undefined") return here();
  if (!worker) {
    worker = new Worker(new URL("./sync-worker.ts", import.meta.url), { type: "module" });
    worker.addEventListener("message", (event: MessageEvent<{ id: number; reply: WorkerReply }>) => {
      const { id, reply } = event.data;
      waiting.get(id)?.(reply);
      waiting.delete(id);
    });
  }
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve as (reply: WorkerReply) => void);
    worker?.postMessage({ id, job });
  });
}
