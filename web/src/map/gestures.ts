// Pinch-zoom, pan and double-tap zoom with Pointer Events (one code path for touch,
// pen and mouse), plus the mouse wheel. Gestures only compute a new view; the
// screen owns it (clamps, draws). A tap that was not a drag stays a click, so
// tapping a booth still opens it; the click ending a drag is swallowed.
import { zoomAt, type View } from "./view";
import type { Point } from "./plan";

/** Movement (px) under which a press is still a tap. */
const TAP_SLOP = 8;
const DOUBLE_TAP_MS = 320;
const DOUBLE_TAP_SLOP = 30;

interface Start {
  view: View;
  rect: DOMRect;
  pointers: Map<number, Point>;
}

export interface GestureHost {
  view(): View;
  show(view: View): void;
}

export class Gestures {
  private readonly pointers = new Map<number, Point>();
  private start: Start | null = null;
  private dragging = false;
  private swallowClick = false;
  private lastTap: { at: number; point: Point } | null = null;
  private frame = 0;
  private pending: View | null = null;

  constructor(
    private readonly element: SVGSVGElement,
    private readonly host: GestureHost,
  ) {
    element.addEventListener("pointerdown", this.down);
    element.addEventListener("pointermove", this.move);
    element.addEventListener("pointerup", this.up);
    element.addEventListener("pointercancel", this.cancel);
    element.addEventListener("click", this.click, true);
    element.addEventListener("wheel", this.wheel, { passive: false });
  }

  disconnect(): void {
    cancelAnimationFrame(this.frame);
    this.element.removeEventListener("pointerdown", this.down);
    this.element.removeEventListener("pointermove", this.move);
    this.element.removeEventListener("pointerup", this.up);
    this.element.removeEventListener("pointercancel", this.cancel);
    this.element.removeEventListener("click", this.click, true);
    this.element.removeEventListener("wheel", this.wheel);
  }

  /** The SVG point under a screen point (the viewBox has the element's shape). */
  private svgPoint(view: View, rect: DOMRect, client: Point): Point {
    const scale = rect.width > 0 ? view.w / rect.width : 1;
    return { x: view.x + (client.x - rect.left) * scale, y: view.y + (client.y - rect.top) * scale };
  }

  private snapshot(): void {
    this.start = {
      view: this.pending ?? this.host.view(),
      rect: this.element.getBoundingClientRect(),
      pointers: new Map(this.pointers),
    };
  }

  private readonly down = (event: PointerEvent): void => {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (this.pointers.size === 1) {
      this.dragging = false;
      this.swallowClick = false; // a drag that ended off the map left it set
    }
    if (this.pointers.size >= 2) this.beginDrag(event);
    this.snapshot();
  };

  private beginDrag(event: PointerEvent): void {
    this.dragging = true;
    this.lastTap = null;
    // Keep the gesture when a finger slides off the map.
    if (!this.element.hasPointerCapture(event.pointerId)) this.element.setPointerCapture(event.pointerId);
  }

  private readonly move = (event: PointerEvent): void => {
    if (!this.pointers.has(event.pointerId) || !this.start) return;
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    const { view, rect, pointers } = this.start;
    const ids = [...this.pointers.keys()].filter((id) => pointers.has(id)).slice(0, 2);
    if (ids.length === 1) {
      const from = pointers.get(ids[0])!;
      const now = this.pointers.get(ids[0])!;
      if (!this.dragging && Math.hypot(now.x - from.x, now.y - from.y) < TAP_SLOP) return;
      if (!this.dragging) this.beginDrag(event);
      const scale = view.w / rect.width;
      this.schedule({ ...view, x: view.x - (now.x - from.x) * scale, y: view.y - (now.y - from.y) * scale });
    } else if (ids.length === 2) {
      const [a0, b0] = ids.map((id) => pointers.get(id)!);
      const [a1, b1] = ids.map((id) => this.pointers.get(id)!);
      const before = Math.hypot(a0.x - b0.x, a0.y - b0.y);
      const after = Math.hypot(a1.x - b1.x, a1.y - b1.y);
      if (before < 1 || after < 1) return;
      const factor = after / before;
      // The plan point between the fingers at the start stays between them now.
      const anchor = this.svgPoint(view, rect, { x: (a0.x + b0.x) / 2, y: (a0.y + b0.y) / 2 });
      const mid = { x: (a1.x + b1.x) / 2, y: (a1.y + b1.y) / 2 };
      const w = view.w / factor;
      const h = view.h / factor;
      const scale = w / rect.width;
      this.schedule({ x: anchor.x - (mid.x - rect.left) * scale, y: anchor.y - (mid.y - rect.top) * scale, w, h });
    }
  };

  private readonly up = (event: PointerEvent): void => {
    if (!this.pointers.has(event.pointerId)) return;
    const wasDrag = this.dragging;
    this.pointers.delete(event.pointerId);
    if (wasDrag) {
      this.swallowClick = true;
      // Lifting one finger of a pinch: the other goes on panning from here.
      if (this.pointers.size > 0) this.snapshot();
      return;
    }
    if (this.pointers.size === 0) this.tapped({ x: event.clientX, y: event.clientY });
  };

  private readonly cancel = (event: PointerEvent): void => {
    this.pointers.delete(event.pointerId);
    if (this.pointers.size > 0) this.snapshot();
  };

  private tapped(point: Point): void {
    const now = performance.now();
    const last = this.lastTap;
    if (last && now - last.at < DOUBLE_TAP_MS && Math.hypot(point.x - last.point.x, point.y - last.point.y) < DOUBLE_TAP_SLOP) {
      this.lastTap = null;
      const view = this.pending ?? this.host.view();
      const rect = this.element.getBoundingClientRect();
      this.schedule(zoomAt(view, 2, this.svgPoint(view, rect, point)));
      return;
    }
    this.lastTap = { at: now, point };
  }

  private readonly click = (event: MouseEvent): void => {
    if (!this.swallowClick) return;
    this.swallowClick = false;
    event.stopPropagation();
    event.preventDefault();
  };

  private readonly wheel = (event: WheelEvent): void => {
    event.preventDefault();
    const view = this.pending ?? this.host.view();
    const rect = this.element.getBoundingClientRect();
    const factor = Math.exp(-event.deltaY * 0.002);
    this.schedule(zoomAt(view, factor, this.svgPoint(view, rect, { x: event.clientX, y: event.clientY })));
  };

  /** At most one redraw per frame, however fast the pointer events come. */
  private schedule(view: View): void {
    this.pending = view;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.pending) this.host.show(this.pending);
      this.pending = null;
    });
  }
}
