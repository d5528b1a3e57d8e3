import { formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import type { Order, OrderBook, Quote } from "@/types/models";

/** The user's open orders resting at one price: their open quantity and the orders themselves. */
interface OwnLevel {
  quantity: number;
  orders: Order[];
}

/**
 * The user's open orders per price, per side. Only the regular board's orders: the book shown is
 * that board's (an after-hours order rests on its own board, not in these queues).
 */
export function ownLevels(orders: Order[]): { ask: Map<number, OwnLevel>; bid: Map<number, OwnLevel> } {
  const ask = new Map<number, OwnLevel>();
  const bid = new Map<number, OwnLevel>();
  for (const order of orders) {
    if (!order.price || (order.session && order.session !== "regular")) continue;
    const open = order.quantity - order.filled_quantity;
    if (open <= 0) continue;
    const side = order.side === "buy" ? bid : ask;
    const level = side.get(order.price) ?? { quantity: 0, orders: [] };
    level.quantity += open;
    level.orders.push(order);
    side.set(order.price, level);
  }
  return { ask, bid };
}

/**
 * 10-level book: asks above (highest first, best ask nearest the middle), bids below; the user's
 * own orders marked at their levels ("내 주문 30": a click on it hands those orders to `onOwnOrders`,
 * for 정정·취소); 총잔량 per side, today's band, and 예상체결가 during a call.
 */
export function OrderBookView({
  book,
  quote,
  limits,
  prevClose,
  ownOrders = [],
  onPrice,
  onOwnOrders,
}: {
  book: OrderBook;
  quote?: Quote | null;
  limits?: { upper: number; lower: number } | null;
  prevClose?: number;
  ownOrders?: Order[];
  onPrice?: (price: number) => void;
  onOwnOrders?: (orders: Order[]) => void;
}) {
  const t = useT();
  const asks = [...book.asks.slice(0, 10)].reverse();
  const bids = book.bids.slice(0, 10);
  const maxQty = Math.max(1, ...book.asks.map((l) => l.quantity), ...book.bids.map((l) => l.quantity));
  const totalAsk = book.asks.reduce((sum, l) => sum + l.quantity, 0);
  const totalBid = book.bids.reduce((sum, l) => sum + l.quantity, 0);
  const own = ownLevels(ownOrders);
  const upper = quote?.upper_limit ?? limits?.upper;
  const lower = quote?.lower_limit ?? limits?.lower;
  const priceClass = (price: number) =>
    prevClose ? (price > prevClose ? "dir-up" : price < prevClose ? "dir-down" : "dir-flat") : "";
  const priceCell = (price: number, mine: OwnLevel | undefined) => (
    <td className={`center num price ${priceClass(price)}`}>
      <button type="button" className="link" onClick={() => onPrice?.(price)}>
        {formatWon(price)}
      </button>
      {mine && onOwnOrders ? (
        <button
          type="button"
          className="own-order"
          data-testid="own-order"
          data-quantity={mine.quantity}
          aria-label={`${t("book.mineAction")}: ${formatWon(price)} ${formatWon(mine.quantity)}${t("order.shares")}`}
          onClick={() => onOwnOrders(mine.orders)}
        >
          {t("book.mine")} {formatWon(mine.quantity)}
        </button>
      ) : mine ? (
        <span className="own-order" data-testid="own-order" data-quantity={mine.quantity} title={t("book.mine")}>
          {t("book.mine")} {formatWon(mine.quantity)}
        </span>
      ) : null}
    </td>
  );
  return (
    <div className="orderbook-wrap">
      {quote?.expected_price ? (
        <div className="expected" data-testid="expected-price">
          {t("book.expected")} <strong className="num">{formatWon(quote.expected_price)}</strong>
          {quote.expected_quantity ? <span className="muted num"> · {formatWon(quote.expected_quantity)}{t("order.shares")}</span> : null}
        </div>
      ) : null}
      <table className="table orderbook" data-testid="orderbook">
        <thead>
          <tr>
            <th className="right">
              {t("market.ask")} {t("market.quantity")}
            </th>
            <th className="center">{t("order.price")}</th>
            <th>
              {t("market.bid")} {t("market.quantity")}
            </th>
          </tr>
        </thead>
        <tbody>
          {asks.map((level, index) => (
            <tr
              key={`a${level.price}`}
              className={`ask${own.ask.has(level.price) ? " mine" : ""}`}
              data-side="ask"
              data-level={asks.length - index}
              data-price={level.price}
            >
              <td className="right num qty">
                <span className="bar bar-ask" style={{ width: `${(level.quantity / maxQty) * 100}%` }} />
                {formatWon(level.quantity)}
              </td>
              {priceCell(level.price, own.ask.get(level.price))}
              <td />
            </tr>
          ))}
          {bids.map((level, index) => (
            <tr
              key={`b${level.price}`}
              className={`bid${own.bid.has(level.price) ? " mine" : ""}`}
              data-side="bid"
              data-level={index + 1}
              data-price={level.price}
            >
              <td />
              {priceCell(level.price, own.bid.get(level.price))}
              <td className="num qty">
                <span className="bar bar-bid" style={{ width: `${(level.quantity / maxQty) * 100}%` }} />
                {formatWon(level.quantity)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr className="book-total">
            <td className="right num" data-testid="total-ask">
              {formatWon(totalAsk)}
            </td>
            <td className="center muted">{t("book.total")}</td>
            <td className="num" data-testid="total-bid">
              {formatWon(totalBid)}
            </td>
          </tr>
        </tfoot>
      </table>
      {upper && lower ? (
        <div className="book-limits num" data-testid="price-limits">
          <span className="dir-up">
            {t("book.upper")} {formatWon(upper)}
          </span>
          <span className="dir-down">
            {t("book.lower")} {formatWon(lower)}
          </span>
        </div>
      ) : null}
    </div>
  );
}
