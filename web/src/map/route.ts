// A walk between two places, from the server's `route(fromId:, toId:)` (shortest
// path over the walkway graph, which the phone does not hold). Offline, the map
// can only offer the straight line between the two, marked as such.
import { ApiError, graphql, OfflineError } from "../lib/api";
import type { Place, Point } from "./plan";

export interface Walk {
  distanceMeters: number;
  walkingMinutes: number;
  path: Point[];
}

export type RouteAnswer =
  | { kind: "walk"; walk: Walk }
  /** The server knows no walk between them (not connected). */
  | { kind: "none" }
  /** No network: the straight line, with its length. */
  | { kind: "offline"; path: Point[]; distanceMeters: number }
  | { kind: "error"; message: string };

const ROUTE = `query Route($from: ID!, $to: ID!) {
  route(fromId: $from, toId: $to) { distanceMeters walkingMinutes path { x y } }
}`;

export async function findRoute(from: Place, to: Place, signal?: AbortSignal): Promise<RouteAnswer> {
  try {
    const { route } = await graphql<{ route: Walk | null }>(ROUTE, { from: from.id, to: to.id }, { signal });
    return route ? { kind: "walk", walk: route } : { kind: "none" };
  } catch (error) {
    if (error instanceof OfflineError) {
      const distanceMeters = Math.hypot(from.at.x - to.at.x, from.at.y - to.at.y);
      return { kind: "offline", path: [from.at, to.at], distanceMeters };
    }
    if (error instanceof ApiError) return { kind: "error", message: error.message };
    throw error;
  }
}

/** Whole minutes to show: rounded, and never "0 min" for a walk that is not nil. */
export function shownMinutes(walk: Walk): number {
  if (walk.distanceMeters <= 0) return 0;
  return Math.max(1, Math.round(walk.walkingMinutes));
}
