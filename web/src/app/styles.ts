// Styles shared by every screen: one type scale, one spacing scale, large touch
// targets (48 px), colours that pass WCAG AA on white.
import { css } from "lit";

export const base = css`
  :host {
    display: block;
    color: var(--ink);
    font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  }
  h1, h2, h3 {
    line-height: 1.2;
    margin: 0.5rem 0;
  }
  h1 { font-size: 1.35rem; }
  h2 { font-size: 1.15rem; }
  h3 { font-size: 1rem; }
  a { color: var(--link); }
  button, .button {
    /* A link styled as a button is 44 px tall too, padding included. */
    box-sizing: border-box;
    font: inherit;
    min-height: 44px;
    min-width: 44px;
    padding: 0.5rem 0.9rem;
    border-radius: 0.6rem;
    border: 1px solid var(--line-strong);
    background: var(--surface);
    color: var(--ink);
    cursor: pointer;
    text-decoration: none;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.35rem;
  }
  button.primary, .button.primary {
    background: var(--brand);
    border-color: var(--brand);
    color: #fff;
  }
  button[aria-pressed="true"] {
    background: var(--brand-soft);
    border-color: var(--brand);
  }
  button:disabled { opacity: 0.55; cursor: default; }
  :focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  input, select, textarea {
    font: inherit;
    min-height: 44px;
    padding: 0.4rem 0.6rem;
    border: 1px solid var(--line-strong);
    border-radius: 0.5rem;
    background: var(--surface);
    color: var(--ink);
    box-sizing: border-box;
  }
  label { display: block; font-weight: 600; margin: 0.6rem 0 0.2rem; }
  .card {
    display: block;
    border: 1px solid var(--line);
    border-radius: 0.8rem;
    padding: 0.75rem 0.9rem;
    margin: 0.5rem 0;
    background: var(--surface);
    color: inherit;
    text-decoration: none;
  }
  .muted { color: var(--muted); }
  .tz { font-size: 0.85rem; }
  .chips { display: flex; flex-wrap: wrap; gap: 0.4rem; }
  .badge {
    display: inline-block;
    font-size: 0.78rem;
    font-weight: 700;
    letter-spacing: 0.02em;
    padding: 0.1rem 0.45rem;
    border-radius: 0.35rem;
    text-transform: uppercase;
  }
  .badge.changed { background: #fff1c2; color: #6b4a00; }
  .badge.cancelled { background: #ffd9d6; color: #8a1710; }
  .badge.urgent { background: #8a1710; color: #fff; }
  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .error { color: #8a1710; }
`;

/** A list screen's search box and its row of filter selects (agenda, exhibitors). */
export const filters = css`
  .filters { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0.5rem; }
  .filters select { width: 100%; }
  .filters label { margin: 0.3rem 0 0.1rem; font-size: 0.85rem; }
  .search { display: flex; gap: 0.4rem; margin: 0.5rem 0; }
  .search input { flex: 1; min-width: 0; }
`;
