import { Link } from "react-router";

import { Signed } from "@/components/Price";
import { QueryState } from "@/components/QueryState";
import { formatDateTime, formatWon } from "@/lib/format";
import { hasMessage, useT } from "@/lib/i18n";
import type { Account, Order, Position } from "@/types/models";

import { useCancelOrder, useOrders } from "../api/orders";
import { useFills } from "../api/positions";
import { useLiveAccount } from "../hooks/useLiveAccount";
import type { PositionMark } from "../portfolio";

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

/** Positions marked to the live price: the same marks the account summary adds up (useLiveAccount). */
export function PositionsTable({ account }: { account: Account }) {
  const t = useT();
  const { positions, rows } = useLiveAccount(account);
  return (
    <QueryState query={positions} isEmpty={() => rows.length === 0}>
      {() => (
        <table className="table cards" data-testid="positions">
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
            {rows.map(({ position, mark }) => (
              <PositionRow key={position.symbol} position={position} mark={mark} />
            ))}
          </tbody>
        </table>
      )}
    </QueryState>
  );
}

function PositionRow({ position, mark }: { position: Position; mark: PositionMark }) {
  const t = useT();
  return (
    <tr data-symbol={position.symbol} data-quantity={position.quantity} data-market-value={mark.marketValue}>
      <td data-label={t("market.name")}>
        <Link to={`/symbols/${position.symbol}`}>{position.symbol_name}</Link> <span className="muted">{position.symbol}</span>
      </td>
      <td data-label={t("order.quantity")} className="right num" data-testid="position-quantity">
        {formatWon(position.quantity)}
      </td>
      <td data-label={t("portfolio.avgCost")} className="right num">{formatWon(position.avg_cost)}</td>
      <td data-label={t("portfolio.lastPrice")} className="right num">{formatWon(mark.last)}</td>
      <td data-label={t("account.marketValue")} className="right num">{formatWon(mark.marketValue)}</td>
      <td data-label={t("portfolio.unrealized")} className="right">
        <Signed value={mark.unrealized} />
      </td>
      <td data-label={t("portfolio.rate")} className="right">
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
          <td data-label={t("order.time")} className="num muted">{formatDateTime(order.created_at)}</td>
          <td data-label={t("market.name")}>
            <Link to={`/symbols/${order.symbol}`}>{order.symbol_name || order.symbol}</Link>
          </td>
          <td data-label={t("order.side")}>
            <SideLabel side={order.side} />
          </td>
          <td data-label={t("order.type")}>{t(order.type === "market" ? "order.market" : "order.limit")}</td>
          <td data-label={t("order.price")} className="right num">{order.price ? formatWon(order.price) : "-"}</td>
          <td data-label={t("order.quantity")} className="right num">{formatWon(order.quantity)}</td>
          <td data-label={t("order.filled")} className="right num">{formatWon(order.filled_quantity)}</td>
          <td data-label={t("order.avgPrice")} className="right num">{order.avg_fill_price ? formatWon(order.avg_fill_price) : "-"}</td>
          <td data-label={t("order.status")}>
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
        <table className="table cards" data-testid="open-orders">
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
        <table className="table cards" data-testid="order-history">
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
        <table className="table cards" data-testid="fills">
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
                <td data-label={t("order.time")} className="num muted">{formatDateTime(fill.time)}</td>
                <td data-label={t("market.code")}>
                  <Link to={`/symbols/${fill.symbol}`}>{fill.symbol}</Link>
                </td>
                <td data-label={t("order.side")}>
                  <SideLabel side={fill.side} />
                </td>
                <td data-label={t("order.price")} className="right num">{formatWon(fill.price)}</td>
                <td data-label={t("order.quantity")} className="right num">{formatWon(fill.quantity)}</td>
                <td data-label={t("order.commission")} className="right num">{formatWon(fill.commission)}</td>
                <td data-label={t("order.tax")} className="right num">{formatWon(fill.tax)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </QueryState>
  );
}
