// What part of the plan the SVG shows: its viewBox, in SVG units (plan metres with
// y flipped, since the plan's y grows north and the screen's grows down). Zoom and
// pan only ever change this box; the drawing itself never moves.
import type { Box, Point } from "./plan";

export interface View {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Narrowest view: about two booths wide, where every label reads. */
export const MIN_WIDTH = 12;
/** What one press of + or − changes. */
export const STEP = 1.5;

export function toSvg(p: Point): Point {
  return { x: p.x, y: -p.y };
}

export function svgArea(box: Box): View {
  return { x: box.minX, y: -box.maxY, w: box.maxX - box.minX, h: box.maxY - box.minY };
}

/** The view of `area` (with a margin) in an element of this width/height ratio. */
export function fit(area: View, aspect: number, margin = 0.04): View {
  const padX = area.w * margin;
  const padY = area.h * margin;
  const w = Math.max(area.w + 2 * padX, (area.h + 2 * padY) * aspect);
  const h = w / aspect;
  return { x: area.x + area.w / 2 - w / 2, y: area.y + area.h / 2 - h / 2, w, h };
}

export function centreOf(view: View): Point {
  return { x: view.x + view.w / 2, y: view.y + view.h / 2 };
}

export function centreOn(view: View, at: Point): View {
  return { ...view, x: at.x - view.w / 2, y: at.y - view.h / 2 };
}

/** Zoom by `factor` (> 1 closer) keeping the SVG point `about` where it is on screen. */
export function zoomAt(view: View, factor: number, about: Point): View {
  const w = view.w / factor;
  const h = view.h / factor;
  return {
    x: about.x - (about.x - view.x) / factor,
    y: about.y - (about.y - view.y) / factor,
    w,
    h,
  };
}

/** Keep the view sensible: not closer than MIN_WIDTH, not much wider than the venue,
 * and its centre over the venue, so a wild swipe cannot lose the plan. */
export function clampView(view: View, bounds: View, aspect: number): View {
  const widest = Math.max(bounds.w, bounds.h * aspect) * 1.3;
  const w = Math.min(Math.max(view.w, MIN_WIDTH), widest);
  const h = w / aspect;
  const centre = centreOf(view);
  const cx = Math.min(Math.max(centre.x, bounds.x), bounds.x + bounds.w);
  const cy = Math.min(Math.max(centre.y, bounds.y), bounds.y + bounds.h);
  return { x: cx - w / 2, y: cy - h / 2, w, h };
}

/** The same centre and width in an element of another shape (after a resize). */
export function reshape(view: View, aspect: number): View {
  const centre = centreOf(view);
  return centreOn({ ...view, h: view.w / aspect }, centre);
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

export function viewBoxAttribute(view: View): string {
  return [view.x, view.y, view.w, view.h].map(round).join(" ");
}

/** SVG units per screen pixel: what keeps markers a finger's size at any zoom. */
export function unitsPerPixel(view: View, elementWidth: number): number {
  return elementWidth > 0 ? view.w / elementWidth : 1;
}
