// Hand-drawn icons of the points of interest: a white stroke glyph on a coloured
// disc, drawn in a 24-unit box centred on 0. Inline SVG only (no icon font, no
// image request), so they work offline and under the CSP.
import { html, svg, type SVGTemplateResult, type TemplateResult } from "lit";

interface Icon {
  /** Disc colour: white glyphs on it pass WCAG AA contrast. */
  colour: string;
  glyph: string;
}

const ICONS: Record<string, Icon> = {
  ENTRANCE: { colour: "#1b6e3a", glyph: "M2 -8h6v16h-6 M-8 0h8 M-3 -4l4 4l-4 4" },
  INFO_DESK: { colour: "#0b3d91", glyph: "M0 -7v0.5 M0 -2v9" },
  FOOD: { colour: "#7a3e9d", glyph: "M-6 -8v5a2 2 0 0 0 4 0v-5 M-4 -1v9 M4 -8c-3 3-3 8 0 9v7" },
  TOILETS: { colour: "#0b5394", glyph: "M-10 -5l2 10l2-7l2 7l2-10 M9 -4a4 5 0 1 0 0 8" },
  PRAYER_ROOM: { colour: "#00695c", glyph: "M4 -8a8 8 0 1 0 0 16a6 6 0 1 1 0-16z" },
  FIRST_AID: { colour: "#b3261e", glyph: "M0 -7v14 M-7 0h14" },
  SAFETY_ZONE: { colour: "#8a4b00", glyph: "M0 -9l7 3v4c0 5-3 8-7 10c-4-2-7-5-7-10v-4z M-3 0l2 2l4-4" },
  STARTUP_ZONE: { colour: "#a14800", glyph: "M2 -9l-7 10h5l-2 8l7-10h-5z" },
  B2B_AREA: {
    colour: "#5a4a9c",
    glyph: "M-4 -8a2.5 2.5 0 1 1 0 5a2.5 2.5 0 1 1 0-5 M4 -8a2.5 2.5 0 1 1 0 5a2.5 2.5 0 1 1 0-5 M-9 6c0-6 10-6 10 0 M-1 6c0-6 10-6 10 0",
  },
  PARKING: { colour: "#24508f", glyph: "M-3 8v-16h4a4 4 0 0 1 0 8h-4" },
  OTHER: { colour: "#545b69", glyph: "M0 -6l6 6l-6 6l-6-6z" },
};

export function iconColour(kind: string | null): string {
  return (ICONS[kind ?? "OTHER"] ?? ICONS.OTHER).colour;
}

/** The icon of a point-of-interest kind, `radius` SVG units wide, centred at (x, y). */
export function poiIcon(kind: string | null, x: number, y: number, radius: number): SVGTemplateResult {
  const icon = ICONS[kind ?? "OTHER"] ?? ICONS.OTHER;
  const scale = radius / 12;
  return svg`<g transform="translate(${x} ${y}) scale(${scale})" aria-hidden="true">
    <circle r="12" fill=${icon.colour} stroke="#fff" stroke-width="1.5"></circle>
    <path d=${icon.glyph} fill="none" stroke="#fff" stroke-width="2.2" stroke-linecap="round"
      stroke-linejoin="round"></path>
  </g>`;
}

/** The same icon as a small standalone SVG, for lists and the place panel. */
export function poiBadge(kind: string | null): TemplateResult {
  return html`<svg class="icon" viewBox="-12 -12 24 24" width="24" height="24" aria-hidden="true"
    focusable="false">${poiIcon(kind, 0, 0, 12)}</svg>`;
}
