// The floor map's download and storage: fetch /venue.geojson (a 304 when our ETag is
// current) and write it into the offline store. Runs in the sync worker
// (lib/sync-worker.ts): 90 KB of JSON parsed and cloned into IndexedDB were a long task
// on a phone's first visit. Touches no `window`, so it runs on the main thread too.
import type { Store } from "./db-open";
import type { VenueCollection, VenueSync } from "./venue";

export const VENUE_KEY = "venue";
const ETAG_KEY = "venueEtag";

export async function fetchVenueInto(database: () => Promise<Store>): Promise<VenueSync> {
  const store = await database();
  const [etag, saved] = await Promise.all([store.get("kv", ETAG_KEY), store.get("kv", VENUE_KEY)]);
  const headers: Record<string, string> = { accept: "application/geo+json" };
  // Without a saved copy a 304 would leave us nothing to draw: ask for the body.
  if (typeof etag === "string" && saved) headers["if-none-match"] = etag;
  let response: Response;
  try {
    // no-store: IndexedDB is our cache; the HTTP cache would only hold a second copy.
    response = await fetch("/venue.geojson", { headers, cache: "no-store" });
  } catch {
    return "offline";
  }
  if (response.status === 304) return "unchanged";
  if (!response.ok) return "offline";
  const collection = (await response.json()) as VenueCollection;
  const tx = store.transaction("kv", "readwrite");
  await Promise.all([
    tx.store.put(collection, VENUE_KEY),
    tx.store.put(response.headers.get("etag"), ETAG_KEY),
    tx.done,
  ]);
  return "updated";
}
