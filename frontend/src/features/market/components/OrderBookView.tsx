import { formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import type { OrderBook } from "@/types/models";

/** 10-level book: asks above (highest first, best ask nearest the middle), bids below. */
export function OrderBookView({
  book,
  prevClose,
  onPrice,
}: {
  book: OrderBook;
  prevClose?: number;
  onPrice?: (price: number) => void;
}) {
  const t = useT();
  const asks = [...book.asks.slice(0, 10)].reverse();
  const bids = book.bids.slice(0, 10);
  const maxQty = Math.max(1, ...book.asks.map((l) => l.quantity), ...book.bids.map((l) => l.quantity));
  const priceClass = (price: number) =>
    prevClose ? (price > prevClose ? "dir-up" : price < prevClose ? "dir-down" : "dir-flat") : "";
  return (
    <table className="table orderbook" data-testid="orderbook">
      <thead>
        <tr>
          <th className="right">{t("market.ask")} {t("market.quantity")}</th>
          <th className="center">{t("order.price")}</th>
          <th>{t("market.bid")} {t("market.quantity")}</th>
        </tr>
      </thead>
      <tbody>
        {asks.map((level, index) => (
          <tr key={`a${level.price}`} className="ask" data-side="ask" data-level={asks.length - index}>
            <td className="right num qty">
              <span className="bar bar-ask" style={{ width: `${(level.quantity / maxQty) * 100}%` }} />
              {formatWon(level.quantity)}
            </td>
            <td className={`center num price ${priceClass(level.price)}`}>
              <button type="button" className="link" onClick={() => onPrice?.(level.price)}>
                {formatWon(level.price)}
              </button>
            </td>
            <td />
          </tr>
        ))}
        {bids.map((level, index) => (
          <tr key={`b${level.price}`} className="bid" data-side="bid" data-level={index + 1}>
            <td />
            <td className={`center num price ${priceClass(level.price)}`}>
              <button type="button" className="link" onClick={() => onPrice?.(level.price)}>
                {formatWon(level.price)}
              </button>
            </td>
            <td className="num qty">
              <span className="bar bar-bid" style={{ width: `${(level.quantity / maxQty) * 100}%` }} />
              {formatWon(level.quantity)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
