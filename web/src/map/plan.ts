// The floor map as the screen uses it: halls, and the places one can tap or walk
// to (booths with their exhibitors, rooms, points of interest), read once from the
// GeoJSON. Coordinates stay in plan metres (x east, y north); view.ts flips y.
import { pick } from "../lib/i18n";
import type { GeoPolygon, VenueCollection } from "../lib/venue";

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface Hall {
  id: string;
  name: string;
  /** "Hall A" of "Hall A — Métallurgie & Mécanique": what fits on a button. */
  shortName: string;
  ordinal: number;
  ring: Point[];
  box: Box;
}

export type PlaceKind = "booth" | "room" | "poi";

export interface Place {
  /** The id `route(fromId:, toId:)` accepts and `/map?to=` links carry. */
  id: string;
  kind: PlaceKind;
  hallId: string | null;
  at: Point;
  ring: Point[] | null;
  /** Booth code, room name, or the point of interest's French name. */
  name: string;
  nameEn: string;
  exhibitor: { id: string; name: string } | null;
  /** ENTRANCE, FOOD, … for points of interest. */
  poiKind: string | null;
  capacity: number | null;
}

export interface Plan {
  halls: Hall[];
  places: Place[];
  byId: Map<string, Place>;
  box: Box;
}

function ring(polygon: GeoPolygon | null): Point[] | null {
  const outer = polygon?.coordinates[0];
  return outer ? outer.map(([x, y]) => ({ x, y })) : null;
}

export function boxOf(points: Point[]): Box {
  return {
    minX: Math.min(...points.map((p) => p.x)),
    minY: Math.min(...points.map((p) => p.y)),
    maxX: Math.max(...points.map((p) => p.x)),
    maxY: Math.max(...points.map((p) => p.y)),
  };
}

function centreOf(points: Point[]): Point {
  const box = boxOf(points);
  return { x: (box.minX + box.maxX) / 2, y: (box.minY + box.maxY) / 2 };
}

export function buildPlan(collection: VenueCollection): Plan {
  const halls: Hall[] = [];
  const places: Place[] = [];
  const occupants = new Map<string, { id: string; name: string }>();
  for (const feature of collection.features) {
    if (feature.feature_type === "occupant") {
      const { anchor_id, exhibitor_id, name } = feature.properties;
      occupants.set(anchor_id, { id: exhibitor_id, name });
    }
  }
  for (const feature of collection.features) {
    if (feature.feature_type === "level") {
      const outline = ring(feature.geometry) ?? [];
      const name = feature.properties.name;
      const ordinal = feature.properties.ordinal;
      halls.push({ id: feature.id, name, shortName: name.split(" — ")[0], ordinal, ring: outline, box: boxOf(outline) });
    } else if (feature.feature_type === "unit") {
      const p = feature.properties;
      const outline = ring(feature.geometry);
      const shown = p.display_point?.coordinates;
      const at = shown ? { x: shown[0], y: shown[1] } : outline ? centreOf(outline) : null;
      if (!at) continue; // a room with neither outline nor position cannot be drawn
      const booth = p.category === "booth";
      places.push({
        id: feature.id,
        kind: booth ? "booth" : "room",
        hallId: p.level_id,
        at,
        ring: outline,
        name: p.name,
        nameEn: p.name,
        exhibitor: booth ? (occupants.get(feature.id) ?? null) : null,
        poiKind: null,
        capacity: p.capacity ?? null,
      });
    } else if (feature.feature_type === "amenity") {
      const p = feature.properties;
      const [x, y] = feature.geometry.coordinates;
      places.push({
        id: feature.id,
        kind: "poi",
        hallId: p.level_id,
        at: { x, y },
        ring: null,
        name: p.name.fr,
        nameEn: p.name.en,
        exhibitor: null,
        poiKind: p.kind,
        capacity: null,
      });
    }
  }
  const corners = [
    ...halls.flatMap((h) => h.ring),
    ...places.flatMap((p) => p.ring ?? [p.at]),
  ];
  const box = corners.length ? boxOf(corners) : { minX: 0, minY: 0, maxX: 100, maxY: 100 };
  return { halls, places, byId: new Map(places.map((p) => [p.id, p])), box };
}

/** A place's name in the current language ("A101 · Forges de l'Atlas" for a booth). */
export function placeLabel(place: Place): string {
  if (place.kind === "booth") return place.exhibitor ? `${place.name} · ${place.exhibitor.name}` : place.name;
  return pick(place.name, place.nameEn);
}

/**
 * The place a `/map?to=` link names: a booth, room or point of interest id, or, for
 * convenience, an exhibitor id (its first booth by code).
 */
export function findPlace(plan: Plan, id: string | null | undefined): Place | null {
  if (!id) return null;
  const direct = plan.byId.get(id);
  if (direct) return direct;
  const booths = plan.places.filter((p) => p.exhibitor?.id === id).sort((a, b) => a.name.localeCompare(b.name));
  return booths[0] ?? null;
}

/** The entrance nearest a place: where a visitor who gave no "from" walks in. */
export function nearestEntrance(plan: Plan, to: Place): Place | null {
  const entrances = plan.places.filter((p) => p.poiKind === "ENTRANCE" && p.id !== to.id);
  const distance = (p: Place): number => Math.hypot(p.at.x - to.at.x, p.at.y - to.at.y);
  return entrances.sort((a, b) => distance(a) - distance(b))[0] ?? null;
}
