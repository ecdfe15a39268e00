// The map screen's styles: the drawing's colours (through classes, never style=
// attributes: the CSP allows no inline style), strokes that keep their pixel width
// at any zoom, labels shown only from the zoom where they read (`lod-*` classes).
import { css } from "lit";

export const mapStyles = css`
  .halls-bar { display: flex; gap: 0.4rem; overflow-x: auto; padding: 0.25rem 0; }
  .halls-bar button { flex: 0 0 auto; }
  .frame { position: relative; }
  .skip { position: absolute; left: -9999px; z-index: 2; }
  .skip:focus { left: 0.5rem; top: 0.5rem; }
  svg.plan {
    display: block;
    width: 100%;
    height: min(52vh, 520px);
    background: #f9fafb;
    border: 1px solid var(--line);
    border-radius: 0.8rem;
    touch-action: none;
    user-select: none;
    -webkit-user-select: none;
  }
  .zoom {
    position: absolute;
    top: 0.5rem;
    right: 0.5rem;
    display: flex;
    flex-direction: column;
    gap: 0.35rem;
  }
  .zoom button { font-size: 1.25rem; font-weight: 700; padding: 0; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.25); }

  .plan * { vector-effect: non-scaling-stroke; }
  .hall { fill: #eef2f7; stroke: #8a93a3; stroke-width: 1.5px; }
  .hall-name { fill: #0b3d91; font-weight: 700; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
  .place { cursor: pointer; outline: none; -webkit-tap-highlight-color: transparent; }
  .booth .shape { fill: #fff; stroke: #6b7280; stroke-width: 1px; }
  .booth .code { fill: #1a1d24; font-weight: 700; }
  .booth .occupant { fill: #3b4250; }
  .room .shape { fill: #e3efe6; stroke: #2f6b3f; stroke-width: 1.5px; }
  .room-name { fill: #1f4a2b; font-weight: 600; }
  .poi .shape { fill: transparent; stroke: none; }
  .table .shape { fill: #efeaff; stroke: #5a4a9c; stroke-width: 1.5px; }
  .table .code { fill: #2e2366; font-weight: 700; }
  .table.pinned .shape { fill: #ffe3cc; stroke: #c2410c; stroke-width: 3px; }
  .table-status { font-weight: 600; margin: 0.4rem 0; }
  .plan:not(.lod-codes) .code,
  .plan:not(.lod-names) .occupant,
  .room-name.small { display: none; }
  .dim { opacity: 0.35; }
  .selected .shape { fill: #dce7fb; stroke: #0b3d91; stroke-width: 3px; }
  .pinned .shape { fill: #ffe3cc; stroke: #c2410c; stroke-width: 3px; }
  .place:focus-visible .shape { stroke: var(--focus); stroke-width: 4px; }
  .poi:focus-visible .shape,
  .poi.selected .shape,
  .poi.pinned .shape { fill: none; }
  .route-casing { fill: none; stroke: #fff; stroke-width: 9px; stroke-linecap: round; stroke-linejoin: round; }
  .route-line { fill: none; stroke: #c2410c; stroke-width: 5px; stroke-linecap: round; stroke-linejoin: round; }
  .route.straight .route-line { stroke-dasharray: 8 8; }
  .route-start { fill: #1b6e3a; stroke: #fff; stroke-width: 2px; }
  .route-end { fill: #c2410c; stroke: #fff; stroke-width: 2px; }
  /* Drawn over places, never in the way of a tap on them. */
  .pin, .route, .hall-name, .poi svg, .place text, .table { pointer-events: none; }
  .pin { fill: #c2410c; fill-rule: evenodd; stroke: #fff; stroke-width: 1.5px; }

  .route-status { min-height: 1.5rem; margin: 0.5rem 0; font-weight: 600; }
  .route-status .minutes { font-size: 1.2rem; }
  .route-form .actions, .sheet .actions { display: flex; gap: 0.5rem; flex-wrap: wrap; margin-top: 0.6rem; }
  .sheet {
    position: fixed;
    left: 0;
    right: 0;
    bottom: calc(56px + env(safe-area-inset-bottom));
    z-index: 4;
    max-height: 45vh;
    overflow-y: auto;
    max-width: 48rem;
    margin: 0 auto;
    box-sizing: border-box;
    padding: 0.6rem 0.9rem 0.9rem;
    background: var(--surface);
    border-top: 1px solid var(--line-strong);
    border-radius: 1rem 1rem 0 0;
    box-shadow: 0 -4px 16px rgba(0, 0, 0, 0.18);
  }
  .sheet-head { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; }
  .sheet-head h2 { outline: none; }
  .sheet .kind { display: flex; align-items: center; gap: 0.4rem; }
  .sessions { list-style: none; padding: 0; margin: 0.2rem 0; }
  .sessions li { padding: 0.35rem 0; border-top: 1px solid var(--line); }
  .places h3 { margin-top: 1rem; }
  .places ul { list-style: none; padding: 0; margin: 0; }
  .places li button {
    width: 100%;
    justify-content: flex-start;
    text-align: left;
    border: 0;
    border-bottom: 1px solid var(--line);
    border-radius: 0;
  }
  summary { cursor: pointer; min-height: 44px; display: flex; align-items: center; font-weight: 600; }
`;
