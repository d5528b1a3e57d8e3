import { formatTime, formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import type { Trade } from "@/types/models";

export function TradeTape({ trades }: { trades: Trade[] }) {
  const t = useT();
  if (!trades.length) return <div className="state state-empty">{t("common.empty")}</div>;
  return (
    <div className="tape-scroll">
    <table className="table tape" data-testid="trade-tape">
      <thead>
        <tr>
          <th>{t("market.time")}</th>
          <th className="right">{t("order.price")}</th>
          <th className="right">{t("order.quantity")}</th>
        </tr>
      </thead>
      <tbody>
        {trades.map((trade, index) => (
          <tr key={`${trade.time}-${index}`} className={trade.side === "buy" ? "dir-up" : trade.side === "sell" ? "dir-down" : ""}>
            <td className="num muted">{formatTime(trade.time)}</td>
            <td className="right num">{formatWon(trade.price)}</td>
            <td className="right num">{formatWon(trade.quantity)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}
