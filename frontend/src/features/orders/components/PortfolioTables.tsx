import { Link } from "react-router";

import { Signed } from "@/components/Price";
import { QueryState } from "@/components/QueryState";
import { formatDateTime, formatWon } from "@/lib/format";
import { hasMessage, useT } from "@/lib/i18n";
import { useLiveMarket, useQuoteSubscription } from "@/lib/realtime";
import type { Order, Position } from "@/types/models";

import { useCancelOrder, useOrders } from "../api/orders";
import { useFills, usePositions } from "../api/positions";

const OPEN_STATUSES = new Set(["new", "partially_filled"]);

function StatusLabel({ status }: { status: string }) {
  const t = useT();
  const key = `status.${status}`;
  return <span className={`status status-${status}`}>{hasMessage(key) ? t(key) : status}</span>;
}

function SideLabel({ side }: { side: string }) {
  const t = useT();
  return <span className={side === "buy" ? "dir-up" : "dir-down"}>{t(side === "buy" ? "order.buy" : "order.sell")}</span>;
}

/** Positions marked to the live price: unrealised P&L moves with every tick. */
export function PositionsTable({ accountId }: { accountId: number }) {
  const t = useT();
  const positions = usePositions(accountId);
  useQuoteSubscription((positions.data ?? []).map((p) => p.symbol));
  const live = useLiveMarket((s) => s.quotes);
  return (
    <QueryState query={positions} isEmpty={(list) => list.filter((p) => p.quantity > 0).length === 0}>
      {(list) => (
        <table className="table" data-testid="positions">
          <thead>
            <tr>
              <th>{t("market.name")}</th>
              <th className="right">{t("order.quantity")}</th>
              <th className="right">{t("portfolio.avgCost")}</th>
              <th className="right">{t("portfolio.lastPrice")}</th>
              <th className="right">{t("account.marketValue")}</th>
              <th className="right">{t("portfolio.unrealized")}</th>
              <th className="right">{t("portfolio.rate")}</th>
            </tr>
          </thead>
          <tbody>
            {list
              .filter((p) => p.quantity > 0)
              .map((position) => (
                <PositionRow key={position.symbol} position={position} livePrice={live[position.symbol]?.price} />
              ))}
          </tbody>
        </table>
      )}
    </QueryState>
  );
}

export function markPosition(position: Position, livePrice: number | undefined) {
  const cost = Number(position.avg_cost) * position.quantity;
  // Without any quote yet the position is worth its cost (as the server values it).
  const last = livePrice ?? position.last_price ?? Number(position.avg_cost);
  const marketValue = last * position.quantity;
  const unrealized = marketValue - cost;
  const rate = cost ? (unrealized * 100) / cost : 0;
  return { last, marketValue, unrealized, rate };
}

function PositionRow({ position, livePrice }: { position: Position; livePrice: number | undefined }) {
  const mark = markPosition(position, livePrice);
  return (
    <tr data-symbol={position.symbol} data-quantity={position.quantity}>
      <td>
        <Link to={`/symbols/${position.symbol}`}>{position.symbol_name}</Link> <span className="muted">{position.symbol}</span>
      </td>
      <td className="right num" data-testid="position-quantity">
        {formatWon(position.quantity)}
      </td>
      <td className="right num">{formatWon(position.avg_cost)}</td>
      <td className="right num">{formatWon(mark.last)}</td>
      <td className="right num">{formatWon(mark.marketValue)}</td>
      <td className="right">
        <Signed value={mark.unrealized} />
      </td>
      <td className="right">
        <Signed value={mark.rate} percent />
      </td>
    </tr>
  );
}

function OrderRows({ orders, cancellable }: { orders: Order[]; cancellable: boolean }) {
  const t = useT();
  const cancel = useCancelOrder();
  return (
    <tbody>
      {orders.map((order) => (
        <tr key={order.id} data-order-id={order.id} data-status={order.status}>
          <td className="num muted">{formatDateTime(order.created_at)}</td>
          <td>
            <Link to={`/symbols/${order.symbol}`}>{order.symbol_name || order.symbol}</Link>
          </td>
          <td>
            <SideLabel side={order.side} />
          </td>
          <td>{t(order.type === "market" ? "order.market" : "order.limit")}</td>
          <td className="right num">{order.price ? formatWon(order.price) : "-"}</td>
          <td className="right num">{formatWon(order.quantity)}</td>
          <td className="right num">{formatWon(order.filled_quantity)}</td>
          <td className="right num">{order.avg_fill_price ? formatWon(order.avg_fill_price) : "-"}</td>
          <td>
            <StatusLabel status={order.status} />
            {order.reject_reason && <span className="muted"> {order.reject_reason}</span>}
          </td>
          {cancellable && (
            <td>
              <button
                type="button"
                className="btn btn-small"
                disabled={cancel.isPending && cancel.variables === order.id}
                onClick={() => cancel.mutate(order.id)}
              >
                {t("order.cancel")}
              </button>
            </td>
          )}
        </tr>
      ))}
    </tbody>
  );
}

function OrderHead({ cancellable }: { cancellable: boolean }) {
  const t = useT();
  return (
    <thead>
      <tr>
        <th>{t("order.time")}</th>
        <th>{t("market.name")}</th>
        <th>{t("order.side")}</th>
        <th>{t("order.type")}</th>
        <th className="right">{t("order.price")}</th>
        <th className="right">{t("order.quantity")}</th>
        <th className="right">{t("order.filled")}</th>
        <th className="right">{t("order.avgPrice")}</th>
        <th>{t("order.status")}</th>
        {cancellable && <th />}
      </tr>
    </thead>
  );
}

export function OpenOrdersTable({ accountId, symbol }: { accountId: number; symbol?: string }) {
  const orders = useOrders({ account: accountId, symbol });
  return (
    <QueryState query={orders} isEmpty={(list) => !list.some((o) => OPEN_STATUSES.has(o.status))}>
      {(list) => (
        <table className="table" data-testid="open-orders">
          <OrderHead cancellable />
          <OrderRows orders={list.filter((o) => OPEN_STATUSES.has(o.status))} cancellable />
        </table>
      )}
    </QueryState>
  );
}

export function OrderHistoryTable({ accountId }: { accountId: number }) {
  const orders = useOrders({ account: accountId });
  return (
    <QueryState query={orders} isEmpty={(list) => !list.some((o) => !OPEN_STATUSES.has(o.status))}>
      {(list) => (
        <table className="table" data-testid="order-history">
          <OrderHead cancellable={false} />
          <OrderRows orders={list.filter((o) => !OPEN_STATUSES.has(o.status))} cancellable={false} />
        </table>
      )}
    </QueryState>
  );
}

export function FillsTable({ accountId }: { accountId: number }) {
  const t = useT();
  const fills = useFills(accountId);
  return (
    <QueryState query={fills} isEmpty={(list) => list.length === 0}>
      {(list) => (
        <table className="table" data-testid="fills">
          <thead>
            <tr>
              <th>{t("order.time")}</th>
              <th>{t("market.code")}</th>
              <th>{t("order.side")}</th>
              <th className="right">{t("order.price")}</th>
              <th className="right">{t("order.quantity")}</th>
              <th className="right">{t("order.commission")}</th>
              <th className="right">{t("order.tax")}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((fill) => (
              <tr key={fill.id} data-fill-id={fill.id}>
                <td className="num muted">{formatDateTime(fill.time)}</td>
                <td>
                  <Link to={`/symbols/${fill.symbol}`}>{fill.symbol}</Link>
                </td>
                <td>
                  <SideLabel side={fill.side} />
                </td>
                <td className="right num">{formatWon(fill.price)}</td>
                <td className="right num">{formatWon(fill.quantity)}</td>
                <td className="right num">{formatWon(fill.commission)}</td>
                <td className="right num">{formatWon(fill.tax)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </QueryState>
  );
}
