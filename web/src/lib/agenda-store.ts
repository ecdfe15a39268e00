// The agenda sync's work: ask `agendaChanges(since:)` and write the answer into the
// offline store. Runs in the sync worker (lib/sync-worker.ts), or on the main thread
// where there is no Worker, so it touches neither `window` nor `localStorage`: the
// caller passes the token, the language and the version it holds.
import type { AgendaPatch } from "./agenda-patch";
import type { Store } from "./db-open";

export interface SyncRequest {
  document: string;
  since: string | null;
  token: string | null;
  lang: string;
}

/** Small enough to post back cheaply: the rows stay in IndexedDB. */
export type SyncReply =
  | { result: "complete" | "patched" | "unchanged"; venueChanged: boolean }
  | { result: "offline" }
  | { result: "error"; code: string; message: string };

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function runSyncRequest(request: SyncRequest, database: () => Promise<Store>): Promise<SyncReply> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
    "accept-language": request.lang,
  };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query: request.document, variables: { since: request.since } }),
    });
  } catch {
    return { result: "offline" };
  }
  // Same reading as lib/api.ts: a server that is down counts as being offline.
  if (response.status >= 500) return { result: "offline" };
  const body = (await response.json()) as GraphQLResponse<AgendaPatch>;
  if (body.errors?.length) {
    const first = body.errors[0];
    return { result: "error", code: first.extensions?.code ?? "BAD_USER_INPUT", message: first.message };
  }
  if (body.data == null) return { result: "error", code: "INTERNAL_SERVER_ERROR", message: "empty answer" };
  const answer = body.data;
  const store = await database();
  const result = answer.agendaChanges.complete ? await replaceAll(store, answer) : await applyPatch(store, answer);
  return { result, venueChanged: answer.agendaChanges.venueChanged };
}

/** A complete answer, written in one transaction: a phone closed halfway keeps its previous copy whole. */
async function replaceAll(database: Store, answer: AgendaPatch): Promise<"complete"> {
  const changes = answer.agendaChanges;
  const tx = database.transaction(["sessions", "exhibitors", "speakers", "kv"], "readwrite");
  const stores = ["sessions", "exhibitors", "speakers"] as const;
  await Promise.all(stores.map((store) => tx.objectStore(store).clear()));
  await Promise.all([
    ...changes.sessions.map((row) => tx.objectStore("sessions").put(row)),
    ...changes.exhibitors.map((row) => tx.objectStore("exhibitors").put(row)),
    ...changes.speakers.map((row) => tx.objectStore("speakers").put(row)),
    tx.objectStore("kv").put(answer.event, "event"),
    tx.objectStore("kv").put(changes.version, "agendaVersion"),
  ]);
  await tx.done;
  return "complete";
}

async function applyPatch(database: Store, answer: AgendaPatch): Promise<"patched" | "unchanged"> {
  const changes = answer.agendaChanges;
  const tx = database.transaction(["sessions", "exhibitors", "speakers", "kv"], "readwrite");
  const sessions = tx.objectStore("sessions");
  const exhibitors = tx.objectStore("exhibitors");
  const speakers = tx.objectStore("speakers");
  await Promise.all([
    ...changes.sessions.map((row) => sessions.put(row)),
    ...changes.exhibitors.map((row) => exhibitors.put(row)),
    ...changes.speakers.map((row) => speakers.put(row)),
    ...changes.removedSessionIds.map((id) => sessions.delete(id)),
    ...changes.removedExhibitorIds.map((id) => exhibitors.delete(id)),
    ...changes.removedSpeakerIds.map((id) => speakers.delete(id)),
    tx.objectStore("kv").put(answer.event, "event"),
    tx.objectStore("kv").put(changes.version, "agendaVersion"),
  ]);
  await tx.done;
  const touched =
    changes.sessions.length +
    changes.exhibitors.length +
    changes.speakers.length +
    changes.removedSessionIds.length +
    changes.removedExhibitorIds.length +
    changes.removedSpeakerIds.length;
  return touched ? "patched" : "unchanged";
}
