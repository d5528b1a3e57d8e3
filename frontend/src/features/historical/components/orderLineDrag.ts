import type { Coordinate, IChartApi, ISeriesApi } from "lightweight-charts";

import { grabTolerance, LONG_PRESS_MS, LONG_PRESS_SLOP, lineAt, priceAtY } from "../orderLines";

/** A line that can be taken now, at the price it stands at. */
export interface DraggableLine {
  orderId: number;
  price: number;
}

export interface OrderLineDragOptions {
  /** The chart's container: the price pane is its top pane. */
  element: HTMLElement;
  /** The chart and its candle series now (null while they are being built again). */
  chart: () => IChartApi | null;
  series: () => ISeriesApi<"Candlestick"> | null;
  lines: () => DraggableLine[];
  /** While a line is dragged: the price it proposes; null when the drag is given up (the line goes back). */
  onMove: (orderId: number, price: number | null) => void;
  /** Let go at a price other than where it started. The line stays there until the caller says otherwise. */
  onDrop: (orderId: number, price: number) => void;
}

type Gesture =
  | { kind: "idle" }
  | { kind: "pressed"; pointerId: number; orderId: number; x: number; y: number; timer: number }
  | { kind: "dragging"; pointerId: number; orderId: number; from: number; price: number; restore: Pick<ReturnType<IChartApi["options"]>, "handleScroll" | "handleScale"> };

/**
 * Pointer handling of the chart's order lines: a mouse press on (or a few px from) a line takes it
 * at once, a finger after a long press; moving proposes a price on the tick grid, letting go hands
 * it to `onDrop`, Escape or a cancelled pointer puts the line back. While a line is held the chart
 * neither pans nor zooms. Returns the clean-up.
 *
 * Listens in the capture phase on the container, before the chart's own handlers (its mouse and
 * touch listeners read handleScroll/handleScale on every move, so turning them off here is enough).
 */
export function attachOrderLineDrag(options: OrderLineDragOptions): () => void {
  const { element } = options;
  let gesture: Gesture = { kind: "idle" };

  const paneHeight = () => options.chart()?.panes()[0]?.getHeight() ?? 0;
  const local = (event: PointerEvent) => {
    const box = element.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };
  const lineUnder = (event: PointerEvent): number | null => {
    const series = options.series();
    if (!series) return null;
    const { x, y } = local(event);
    if (x < 0 || x > element.clientWidth) return null;
    const lines = options.lines().map((line) => ({ id: line.orderId, y: series.priceToCoordinate(line.price) }));
    return lineAt(y, lines, grabTolerance(event.pointerType), paneHeight());
  };
  const setHover = (orderId: number | null) => {
    element.classList.toggle("order-line-hover", orderId !== null);
    if (orderId === null) delete element.dataset.hoverOrder;
    else element.dataset.hoverOrder = String(orderId);
  };

  const start = (pointerId: number, orderId: number) => {
    const chart = options.chart();
    const line = options.lines().find((l) => l.orderId === orderId);
    if (!chart || !line) {
      gesture = { kind: "idle" };
      return;
    }
    const { handleScroll, handleScale } = chart.options();
    chart.applyOptions({ handleScroll: false, handleScale: false });
    gesture = { kind: "dragging", pointerId, orderId, from: line.price, price: line.price, restore: { handleScroll, handleScale } };
    element.classList.add("order-line-dragging");
    element.dataset.dragOrder = String(orderId);
    element.dataset.dragPrice = String(line.price);
    options.onMove(orderId, line.price);
  };

  const finish = (commit: boolean) => {
    const held = gesture;
    if (held.kind === "pressed") window.clearTimeout(held.timer);
    gesture = { kind: "idle" };
    removeWindowListeners();
    if (held.kind !== "dragging") return;
    options.chart()?.applyOptions(held.restore);
    element.classList.remove("order-line-dragging");
    delete element.dataset.dragOrder;
    delete element.dataset.dragPrice;
    if (commit && held.price !== held.from) options.onDrop(held.orderId, held.price);
    else options.onMove(held.orderId, null);
  };

  const onPointerDown = (event: PointerEvent) => {
    if (gesture.kind !== "idle" || !event.isPrimary) return;
    if (event.pointerType === "mouse" && event.button !== 0) return;
    const orderId = lineUnder(event);
    if (orderId === null) return;
    addWindowListeners();
    if (event.pointerType === "touch") {
      const { x, y } = local(event);
      const timer = window.setTimeout(() => {
        if (gesture.kind === "pressed" && gesture.pointerId === event.pointerId) start(event.pointerId, orderId);
      }, LONG_PRESS_MS);
      gesture = { kind: "pressed", pointerId: event.pointerId, orderId, x, y, timer };
    } else {
      start(event.pointerId, orderId);
    }
  };

  const onWindowMove = (event: PointerEvent) => {
    if (gesture.kind === "idle" || event.pointerId !== gesture.pointerId) return;
    const { x, y } = local(event);
    if (gesture.kind === "pressed") {
      // The finger moved on before the long press: a pan or a scroll, which the chart handles.
      if (Math.abs(x - gesture.x) + Math.abs(y - gesture.y) > LONG_PRESS_SLOP) finish(false);
      return;
    }
    const series = options.series();
    if (!series) return;
    const price = priceAtY(y, paneHeight(), (at) => series.coordinateToPrice(at as Coordinate));
    if (price === null || price === gesture.price) return;
    gesture.price = price;
    element.dataset.dragPrice = String(price);
    options.onMove(gesture.orderId, price);
  };
  const onWindowUp = (event: PointerEvent) => {
    if (gesture.kind !== "idle" && event.pointerId === gesture.pointerId) finish(true);
  };
  const onWindowCancel = (event: PointerEvent) => {
    if (gesture.kind !== "idle" && event.pointerId === gesture.pointerId) finish(false);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape" && gesture.kind === "dragging") {
      event.preventDefault();
      finish(false);
    }
  };
  // A held finger must not scroll the page or open the long-press menu.
  const onTouchMove = (event: TouchEvent) => {
    if (gesture.kind === "dragging" && event.cancelable) event.preventDefault();
  };
  const onContextMenu = (event: Event) => {
    if (gesture.kind !== "idle") event.preventDefault();
  };
  const onHover = (event: PointerEvent) => {
    if (gesture.kind !== "idle" || event.pointerType !== "mouse") return;
    setHover(lineUnder(event));
  };
  const onLeave = () => setHover(null);

  function addWindowListeners() {
    window.addEventListener("pointermove", onWindowMove);
    window.addEventListener("pointerup", onWindowUp);
    window.addEventListener("pointercancel", onWindowCancel);
    window.addEventListener("keydown", onKeyDown, true);
  }
  function removeWindowListeners() {
    window.removeEventListener("pointermove", onWindowMove);
    window.removeEventListener("pointerup", onWindowUp);
    window.removeEventListener("pointercancel", onWindowCancel);
    window.removeEventListener("keydown", onKeyDown, true);
  }

  element.addEventListener("pointerdown", onPointerDown, true);
  element.addEventListener("pointermove", onHover);
  element.addEventListener("pointerleave", onLeave);
  element.addEventListener("touchmove", onTouchMove, { passive: false, capture: true });
  element.addEventListener("contextmenu", onContextMenu, true);
  return () => {
    if (gesture.kind === "pressed") window.clearTimeout(gesture.timer);
    gesture = { kind: "idle" };
    removeWindowListeners();
    element.removeEventListener("pointerdown", onPointerDown, true);
    element.removeEventListener("pointermove", onHover);
    element.removeEventListener("pointerleave", onLeave);
    element.removeEventListener("touchmove", onTouchMove, true);
    element.removeEventListener("contextmenu", onContextMenu, true);
    element.classList.remove("order-line-hover", "order-line-dragging");
  };
}
