// The floor map for offline use: /venue.geojson (IMDF-like features: level = hall,
// unit = room or booth, amenity = point of interest, occupant = exhibitor at a
// booth; coordinates are floor-plan metres, x east, y north) kept in IndexedDB with
// its ETag. Online, a revalidation with If-None-Match costs a 304 when nothing moved.
import { announce, getValue, setValue } from "./db";

export interface GeoPoint {
  type: "Point";
  coordinates: [number, number];
}

export interface GeoPolygon {
  type: "Polygon";
  coordinates: [number, number][][];
}

interface FeatureBase<T extends string, G, P> {
  type: "Feature";
  id: string;
  feature_type: T;
  geometry: G;
  properties: P & { feature_type: T };
}

export type LevelFeature = FeatureBase<"level", GeoPolygon, { name: string; ordinal: number; category: string }>;

export type UnitFeature = FeatureBase<
  "unit",
  GeoPolygon | null,
  {
    /** "booth" or "conferenceroom". */
    category: string;
    /** The booth's code ("A101") or the room's name. */
    name: string;
    level_id: string | null;
    capacity?: number | null;
    display_point: GeoPoint | null;
  }
>;

export type AmenityFeature = FeatureBase<
  "amenity",
  GeoPoint,
  { category: string; kind: string; name: { fr: string; en: string }; level_id: string | null }
>;

export type OccupantFeature = FeatureBase<
  "occupant",
  null,
  { name: string; category: string; exhibitor_id: string; anchor_id: string; display_point: GeoPoint }
>;

export type VenueFeature = LevelFeature | UnitFeature | AmenityFeature | OccupantFeature;

export interface VenueCollection {
  type: "FeatureCollection";
  features: VenueFeature[];
}

export type VenueSync = "updated" | "unchanged" | "offline";

const KEY = "venue";
const ETAG_KEY = "venueEtag";

/** The saved floor map, if the phone ever fetched it. */
export async function savedVenue(): Promise<VenueCollection | undefined> {
  return getValue<VenueCollection>(KEY);
}

let running: Promise<VenueSync> | null = null;

/** Fetch the map when it changed; one request at a time (screens may ask together). */
export function syncVenue(): Promise<VenueSync> {
  running ??= fetchVenue().finally(() => {
    running = null;
  });
  return running;
}

async function fetchVenue(): Promise<VenueSync> {
  const [etag, saved] = await Promise.all([getValue<string>(ETAG_KEY), savedVenue()]);
  const headers: Record<string, string> = { accept: "application/geo+json" };
  // Without a saved copy a 304 would leave us nothing to draw: ask for the body.
  if (etag && saved) headers["if-none-match"] = etag;
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
  await setValue(KEY, collection);
  await setValue(ETAG_KEY, response.headers.get("etag"));
  announce("venue");
  return "updated";
}
