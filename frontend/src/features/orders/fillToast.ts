/**
 * One toast per order, as a broker's MTS shows fills: /ws/orders sends a message per fill (a market
 * order that sweeps five levels is five), and the toast of their order says what has filled so far
 * and at what average, "삼성전자 매수 체결 120주 · 평균 70,150원", then "전량 체결" once nothing is left.
 */
import { formatWon, toNumber } from "@/lib/format";
import type { MessageKey, Translate } from "@/lib/i18n";
import type { ToastInput } from "@/stores/toasts";
import type { Fill, Order, OrderSide } from "@/types/models";

/** What the fills of one order add up to. */
export interface OrderFills {
  orderId: number;
  name: string;
  side: OrderSide;
  /** The shares filled so far and their average price (null before any fill). */
  filled: number;
  averagePrice: number | null;
  /** Nothing is left to fill. */
  done: boolean;
  /** The fills heard on this page, so a fill heard twice counts once. */
  tradeIds: ReadonlySet<number>;
  /** Their sum, for an order payload that says less than its fills (never, from this server). */
  heardQuantity: number;
  heardValue: number;
}

/**
 * The order's figures after one fill message. The order in the message is the order as it stands
 * after the transaction that made the fill (in a sweep, every fill message carries the final
 * figures), and it counts fills from before the page was open too, so it wins; the fills heard are
 * the fallback, and the figures never go back (a late message from an earlier batch changes nothing).
 */
export function applyFill(previous: OrderFills | undefined, trade: Pick<Fill, "id" | "quantity" | "price">, order: Order): OrderFills {
  if (previous?.tradeIds.has(trade.id)) return previous;
  const tradeIds = new Set(previous?.tradeIds ?? []);
  tradeIds.add(trade.id);
  const heardQuantity = (previous?.heardQuantity ?? 0) + trade.quantity;
  const heardValue = (previous?.heardValue ?? 0) + trade.quantity * trade.price;

  const candidates: { filled: number; averagePrice: number | null }[] = [
    { filled: heardQuantity, averagePrice: heardValue / heardQuantity },
  ];
  const reported = toNumber(order.avg_fill_price);
  if (order.filled_quantity > 0 && reported !== null) candidates.unshift({ filled: order.filled_quantity, averagePrice: reported });
  if (previous && previous.filled > 0) candidates.push({ filled: previous.filled, averagePrice: previous.averagePrice });
  // The most shares wins; on a tie the first: the order's own figures.
  const best = candidates.reduce((most, candidate) => (candidate.filled > most.filled ? candidate : most));

  return {
    orderId: order.id,
    name: order.symbol_name || order.symbol,
    side: order.side,
    filled: best.filled,
    averagePrice: best.averagePrice,
    done: previous?.done || order.status === "filled" || best.filled >= order.quantity,
    tradeIds,
    heardQuantity,
    heardValue,
  };
}

const FILL_TEXT: Record<OrderSide, { partial: MessageKey; done: MessageKey }> = {
  buy: { partial: "fill.buy", done: "fill.buyDone" },
  sell: { partial: "fill.sell", done: "fill.sellDone" },
};

/** The toast of an order's fills: one key per order, so each update replaces the last. */
export function fillToast(fills: OrderFills, t: Translate): Required<ToastInput> {
  const text = FILL_TEXT[fills.side];
  return {
    key: `fill-${fills.orderId}`,
    tone: fills.side === "buy" ? "buy" : "sell",
    text: t(fills.done ? text.done : text.partial, {
      name: fills.name,
      quantity: formatWon(fills.filled),
      price: formatWon(fills.averagePrice),
    }),
  };
}

/** Orders remembered for their toasts; the oldest are forgotten past this many. */
const REMEMBERED = 200;

/** The fills heard so far, per order (one per page: the order stream's). */
export class FillTracker {
  private readonly orders = new Map<number, OrderFills>();

  /** The order's figures after this fill, or null when the fill was already counted. */
  add(trade: Pick<Fill, "id" | "quantity" | "price">, order: Order): OrderFills | null {
    const previous = this.orders.get(order.id);
    const next = applyFill(previous, trade, order);
    if (next === previous) return null;
    this.orders.delete(order.id);
    this.orders.set(order.id, next);
    if (this.orders.size > REMEMBERED) this.orders.delete(this.orders.keys().next().value as number);
    return next;
  }
}
