import { useState } from "react";
import { Link } from "react-router";

import { Signed } from "@/components/Price";
import { QueryState } from "@/components/QueryState";
import { formatDateTime, formatWon } from "@/lib/format";
import { hasMessage, useT } from "@/lib/i18n";
import type { Account, Order, Position } from "@/types/models";

import { useOrder, useOrders } from "../api/orders";
import { useFills } from "../api/positions";
import { useLiveAccount } from "../hooks/useLiveAccount";
import { isOpenOrder, isPricedOrder } from "../orderAction";
import type { Band } from "../orderTicket";
import type { PositionMark } from "../portfolio";
import { usePortfolioText } from "../portfolioText";
import { OrderActionDialog, type OrderActionMode } from "./OrderActionDialog";

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
  const p = usePortfolioText();
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
              <th className="right">{p("summary.cost")}</th>
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
  const p = usePortfolioText();
  return (
    <tr data-symbol={position.symbol} data-quantity={position.quantity} data-cost={mark.cost} data-market-value={mark.marketValue} data-unrealized={mark.unrealized}>
      <td data-label={t("market.name")}>
        <Link to={`/symbols/${position.symbol}`}>{position.symbol_name}</Link> <span className="muted">{position.symbol}</span>
      </td>
      <td data-label={t("order.quantity")} className="right num" data-testid="position-quantity">
        {formatWon(position.quantity)}
      </td>
      <td data-label={t("portfolio.avgCost")} className="right num">{formatWon(position.avg_cost)}</td>
      <td data-label={t("portfolio.lastPrice")} className="right num">{formatWon(mark.last)}</td>
      <td data-label={p("summary.cost")} className="right num">{formatWon(mark.cost)}</td>
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

/** 대기 앞 N주: the shares ahead of a resting order at its price (from the order's own GET, which lists leave out). */
function QueueAhead({ order }: { order: Order }) {
  const t = useT();
  const detail = useOrder(order.id, order.queue_ahead === null && isPricedOrder(order));
  const ahead = order.queue_ahead ?? detail.data?.queue_ahead ?? null;
  if (ahead === null) return null;
  return (
    <span className="muted queue-ahead num" data-testid="queue-ahead" data-queue-ahead={ahead}>
      {t("order.queueAhead")} {formatWon(ahead)}
      {t("order.shares")}
    </span>
  );
}

type OrderAction = (order: Order, mode: OrderActionMode) => void;

function OrderRows({ orders, onAction, showSymbol = true }: { orders: Order[]; onAction?: OrderAction; showSymbol?: boolean }) {
  const t = useT();
  return (
    <tbody>
      {orders.map((order) => (
        <tr key={order.id} data-order-id={order.id} data-status={order.status}>
          <td data-label={t("order.time")} className="num muted">{formatDateTime(order.created_at)}</td>
          {showSymbol && (
            <td data-label={t("market.name")}>
              <Link to={`/symbols/${order.symbol}`}>{order.symbol_name || order.symbol}</Link>
            </td>
          )}
          <td data-label={t("order.side")}>
            <SideLabel side={order.side} />
          </td>
          <td data-label={t("order.type")}>{t(order.type === "market" ? "order.market" : "order.limit")}</td>
          <td data-label={t("order.price")} className="right num">{order.price ? formatWon(order.price) : "-"}</td>
          <td data-label={t("order.quantity")} className="right num">{formatWon(order.quantity)}</td>
          <td data-label={t("order.filled")} className="right num">{formatWon(order.filled_quantity)}</td>
          <td data-label={t("order.avgPrice")} className="right num">{order.avg_fill_price ? formatWon(order.avg_fill_price) : "-"}</td>
          <td data-label={t("order.status")}>
            <span className="status-cell">
              <StatusLabel status={order.status} />
              {order.reject_reason && <span className="muted"> {order.reject_reason}</span>}
              {onAction && <QueueAhead order={order} />}
            </span>
          </td>
          {onAction && (
            <td className="actions-cell">
              <div className="order-actions">
                <button type="button" className="btn btn-small" onClick={() => onAction(order, "modify")}>
                  {t("order.modify")}
                </button>
                <button type="button" className="btn btn-small btn-danger" onClick={() => onAction(order, "cancel")}>
                  {t("order.cancelShort")}
                </button>
              </div>
            </td>
          )}
        </tr>
      ))}
    </tbody>
  );
}

function OrderHead({ actions, showSymbol = true }: { actions: boolean; showSymbol?: boolean }) {
  const t = useT();
  return (
    <thead>
      <tr>
        <th>{t("order.time")}</th>
        {showSymbol && <th>{t("market.name")}</th>}
        <th>{t("order.side")}</th>
        <th>{t("order.type")}</th>
        <th className="right">{t("order.price")}</th>
        <th className="right">{t("order.quantity")}</th>
        <th className="right">{t("order.filled")}</th>
        <th className="right">{t("order.avgPrice")}</th>
        <th>{t("order.status")}</th>
        {actions && <th />}
      </tr>
    </thead>
  );
}

/**
 * Open orders with 정정 and 취소 on each; the dialog follows the live row, so a fill meanwhile shows
 * in it. With `symbol` (the symbol page) only that symbol's, without a name column.
 */
export function OpenOrdersTable({ accountId, symbol, band }: { accountId: number; symbol?: string; band?: Band | null }) {
  const orders = useOrders({ account: accountId, symbol });
  const [action, setAction] = useState<{ id: number; mode: OrderActionMode } | null>(null);
  const open = (orders.data ?? []).filter(isOpenOrder);
  const chosen = action ? open.filter((o) => o.id === action.id) : [];
  return (
    <>
      <QueryState query={orders} isEmpty={(list) => !list.some(isOpenOrder)}>
        {() => (
          // Scrolls sideways in a narrow column (the symbol page's) rather than hide 정정·취소 past its edge.
          <div className="scroll-x">
            <table className="table cards" data-testid="open-orders">
              <OrderHead actions showSymbol={!symbol} />
              <OrderRows orders={open} showSymbol={!symbol} onAction={(order, mode) => setAction({ id: order.id, mode })} />
            </table>
          </div>
        )}
      </QueryState>
      {action && <OrderActionDialog orders={chosen} initialMode={action.mode} band={band} onClose={() => setAction(null)} />}
    </>
  );
}

export function OrderHistoryTable({ accountId }: { accountId: number }) {
  const orders = useOrders({ account: accountId });
  return (
    <QueryState query={orders} isEmpty={(list) => list.every(isOpenOrder)}>
      {(list) => (
        <table className="table cards" data-testid="order-history">
          <OrderHead actions={false} />
          <OrderRows orders={list.filter((o) => !isOpenOrder(o))} />
        </table>
      )}
    </QueryState>
  );
}

/** The latest fills (GET trades), with their names. */
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
              <th>{t("market.name")}</th>
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
                <td data-label={t("market.name")}>
                  <Link to={`/symbols/${fill.symbol}`}>{fill.symbol_name || fill.symbol}</Link> <span className="muted">{fill.symbol}</span>
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
