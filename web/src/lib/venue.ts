// The floor map for offline use: /venue.geojson (IMDF-like features: level = hall,
// unit = room or booth, amenity = point of interest, occupant = exhibitor at a
// booth; coordinates are floor-plan metres, x east, y north) kept in IndexedDB with
// its ETag. Online, a revalidation with If-None-Match costs a 304 when nothing moved.
import { announce, db, getValue } from "./db";
import { fetchVenueInto, VENUE_KEY } from "./venue-store";
import { inWorker } from "./worker-client";

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

/** The saved floor map, if the phone ever fetched it. */
export async function savedVenue(): Promise<VenueCollection | undefined> {
  return getValue<VenueCollection>(VENUE_KEY);
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
  const result = await inWorker<VenueSync>({ job: "venue" }, () => fetchVenueInto(db));
  if (result === "updated") announce("venue");
  return result;
}
