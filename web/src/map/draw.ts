// The floor plan as SVG: halls, rooms, booths (code and exhibitor), points of
// interest, the route and the pin of the place a link pointed at. Sizes are plan
// metres, but markers and hall names keep a finger's size at any zoom (`px`).
import { nothing, svg, type SVGTemplateResult } from "lit";
import { strings } from "../lib/i18n";
import { poiIcon } from "./icons";
import { boxOf, placeLabel, type Hall, type Place, type Plan, type Point } from "./plan";
import { toSvg } from "./view";

const s = strings({
  fr: { boothOf: "Stand {code}, {name}", freeBooth: "Stand {code}, libre", room: "Salle : {name}", table: "Table {n} (rendez-vous B2B)" },
  en: { boothOf: "Booth {code}, {name}", freeBooth: "Booth {code}, vacant", room: "Room: {name}", table: "Table {n} (B2B meetings)" },
});

/** A B2B meeting table of the meeting plan, where the plan puts it. */
export interface TableMark {
  id: string;
  number: number;
  at: Point;
}

export interface Scene {
  plan: Plan;
  /** SVG units per screen pixel at the current zoom. */
  px: number;
  selected: string | null;
  pinned: string | null;
  /** Halls of other floors than this one are dimmed; null shows every floor alike. */
  ordinal: number | null;
  route: { path: Point[]; straight: boolean } | null;
  tables: TableMark[];
  /** The table a link pointed at (`/map?table=`): pinned like a place. */
  table: string | null;
}

const points = (ring: Point[]): string =>
  ring.map((p) => toSvg(p)).map((p) => `${p.x},${p.y}`).join(" ");

/** The accessible name of a place on the map. */
export function placeName(place: Place): string {
  if (place.kind === "booth") {
    return place.exhibitor
      ? s("boothOf", { code: place.name, name: place.exhibitor.name })
      : s("freeBooth", { code: place.name });
  }
  if (place.kind === "room") return s("room", { name: placeLabel(place) });
  return placeLabel(place);
}

/** An exhibitor's name in at most two lines of about `width` characters. */
function wrap(name: string, width: number): string[] {
  const lines: string[] = [""];
  for (const word of name.split(/\s+/)) {
    const line = lines[lines.length - 1];
    if (!line) lines[lines.length - 1] = word;
    else if (line.length + 1 + word.length <= width) lines[lines.length - 1] = `${line} ${word}`;
    else if (lines.length < 2) lines.push(word);
    else {
      lines[1] = `${lines[1]} ${word}`;
      break;
    }
  }
  return lines.map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
}

function classes(place: Place, scene: Scene, hallOrdinal: Map<string, number>): string {
  const names = ["place", place.kind];
  if (place.id === scene.selected) names.push("selected");
  if (place.id === scene.pinned) names.push("pinned");
  const ordinal = place.hallId ? hallOrdinal.get(place.hallId) : undefined;
  if (scene.ordinal !== null && ordinal !== undefined && ordinal !== scene.ordinal) names.push("dim");
  return names.join(" ");
}

function booth(place: Place, css: string): SVGTemplateResult {
  const c = toSvg(place.at);
  const xs = place.ring ? place.ring.map((p) => p.x) : [place.at.x - 3, place.at.x + 3];
  const width = Math.max(...xs) - Math.min(...xs);
  // Font sizes in metres: a 6 × 4 m booth holds its code and two lines of its name.
  const lines = place.exhibitor ? wrap(place.exhibitor.name, Math.max(4, Math.floor(width * 1.85))) : [];
  return svg`<g class=${css} data-place=${place.id} role="button" tabindex="0" aria-label=${placeName(place)}>
    ${place.ring ? svg`<polygon class="shape" points=${points(place.ring)}></polygon>` : nothing}
    <text class="code" x=${c.x} y=${c.y + (lines.length ? -0.35 : 0.5)} font-size="1.4" text-anchor="middle">${place.name}</text>
    ${lines.map(
      (line, i) =>
        svg`<text class="occupant" x=${c.x} y=${c.y + 0.75 + i * 0.95} font-size="0.9" text-anchor="middle">${line}</text>`,
    )}
  </g>`;
}

function room(place: Place, css: string, px: number, tables: TableMark[]): SVGTemplateResult {
  const label = placeLabel(place);
  const box = place.ring ? boxOf(place.ring) : null;
  // As large as the room allows, so big rooms read from afar.
  let size = box ? Math.min(2.4, (box.maxY - box.minY) * 0.3, (0.9 * (box.maxX - box.minX)) / (label.length * 0.56)) : 1.6;
  // The room of the B2B tables names itself along its north wall, clear of them.
  const tabled =
    box !== null &&
    tables.some((t) => t.at.x >= box.minX && t.at.x <= box.maxX && t.at.y >= box.minY && t.at.y <= box.maxY);
  if (tabled) size = Math.min(size, 1.1);
  const c = toSvg(tabled && box ? { x: (box.minX + box.maxX) / 2, y: box.maxY - size * 0.75 } : place.at);
  return svg`<g class=${css} data-place=${place.id} role="button" tabindex="0" aria-label=${placeName(place)}>
    ${place.ring
      ? svg`<polygon class="shape" points=${points(place.ring)}></polygon>`
      : svg`<circle class="shape" cx=${c.x} cy=${c.y} r="2.5"></circle>`}
    <text class="room-name ${size / px < 7 ? "small" : ""}" x=${c.x} y=${c.y + size * 0.35} font-size=${size}
      text-anchor="middle">${label}</text>
  </g>`;
}

function poi(place: Place, css: string, radius: number): SVGTemplateResult {
  const c = toSvg(place.at);
  return svg`<g class=${css} data-place=${place.id} role="button" tabindex="0" aria-label=${placeName(place)}>
    <circle class="shape" cx=${c.x} cy=${c.y} r=${radius * 1.25}></circle>
    ${poiIcon(place.poiKind, c.x, c.y, radius)}
  </g>`;
}

function hallLabel(hall: Hall, px: number): SVGTemplateResult {
  // Just above the hall's north-west corner: inside, it would cover booths and icons.
  const size = 13 * px;
  return svg`<text class="hall-name" x=${hall.box.minX} y=${-hall.box.maxY - 4 * px}
    font-size=${size} aria-hidden="true">${hall.shortName}</text>`;
}

/** A drop-shaped pin over the place a link named, so it is found at a glance. */
function pin(at: Point, px: number): SVGTemplateResult {
  const c = toSvg(at);
  const k = px * 1.6;
  return svg`<path class="pin" aria-hidden="true" transform="translate(${c.x} ${c.y}) scale(${k})"
    d="M0 0c-3-6-9-9-9-15a9 9 0 0 1 18 0c0 6-6 9-9 15z M0 -18a3 3 0 1 0 0.01 0z"></path>`;
}

/** Side of a table's square, metres: the plan sets them 3 m apart. */
const TABLE_SIDE = 1.8;

function table(mark: TableMark, focused: boolean): SVGTemplateResult {
  const c = toSvg(mark.at);
  const half = TABLE_SIDE / 2;
  return svg`<g class="table ${focused ? "pinned" : ""}" data-table=${mark.id} role="img" aria-label=${s("table", { n: mark.number })}>
    <rect class="shape" x=${c.x - half} y=${c.y - half} width=${TABLE_SIDE} height=${TABLE_SIDE} rx="0.3"></rect>
    <text class="code" x=${c.x} y=${c.y + 0.4} font-size="1.1" text-anchor="middle">${mark.number}</text>
  </g>`;
}

function route(path: Point[], straight: boolean, px: number): SVGTemplateResult {
  const line = path.map((p) => toSvg(p)).map((p) => `${p.x},${p.y}`).join(" ");
  const [first, last] = [toSvg(path[0]), toSvg(path[path.length - 1])];
  return svg`<g class="route ${straight ? "straight" : ""}" aria-hidden="true">
    <polyline class="route-casing" points=${line}></polyline>
    <polyline class="route-line" points=${line}></polyline>
    <circle class="route-start" cx=${first.x} cy=${first.y} r=${6 * px}></circle>
    <circle class="route-end" cx=${last.x} cy=${last.y} r=${6 * px}></circle>
  </g>`;
}

/** Which labels read at this zoom (7 px and up): classes of the <svg>. */
export function detail(px: number): string {
  return [1.4 / px >= 7 ? "lod-codes" : "", 0.9 / px >= 6.5 ? "lod-names" : ""].join(" ");
}

export function drawScene(scene: Scene): SVGTemplateResult {
  const { plan, px } = scene;
  const hallOrdinal = new Map(plan.halls.map((h) => [h.id, h.ordinal]));
  const dim = (hall: Hall): string =>
    scene.ordinal !== null && hall.ordinal !== scene.ordinal ? "hall dim" : "hall";
  const of = (kind: Place["kind"]): Place[] => plan.places.filter((p) => p.kind === kind);
  const pinned = scene.pinned ? plan.byId.get(scene.pinned) : undefined;
  const focused = scene.table ? scene.tables.find((t) => t.id === scene.table) : undefined;
  const radius = Math.max(1.4, 10 * px);
  return svg`
    <g class="halls">${plan.halls.map((h) => svg`<polygon class=${dim(h)} data-hall=${h.id} points=${points(h.ring)}></polygon>`)}</g>
    <g class="rooms">${of("room").map((p) => room(p, classes(p, scene, hallOrdinal), px, scene.tables))}</g>
    <g class="booths">${of("booth").map((p) => booth(p, classes(p, scene, hallOrdinal)))}</g>
    <g class="hall-names">${plan.halls.map((h) => hallLabel(h, px))}</g>
    ${scene.route && scene.route.path.length ? route(scene.route.path, scene.route.straight, px) : nothing}
    <g class="pois">${of("poi").map((p) => poi(p, classes(p, scene, hallOrdinal), radius))}</g>
    <g class="tables">${scene.tables.map((t) => table(t, t.id === scene.table))}</g>
    ${pinned ? pin(pinned.at, px) : nothing}
    ${focused ? pin(focused.at, px) : nothing}
  `;
}
