import { useState } from "react";
import { Link } from "react-router";

import { Dialog } from "@/components/Dialog";
import { FormError } from "@/components/FieldError";
import { QueryState } from "@/components/QueryState";
import { formatDateTime, formatWon } from "@/lib/format";
import { hasMessage, useT } from "@/lib/i18n";
import { useToasts } from "@/stores/toasts";
import { useUiStore } from "@/stores/ui";
import type { Condition, Order } from "@/types/models";

import { useCancelCondition, useConditions } from "../api/conditions";
import { useOrders } from "../api/orders";
import { describeTerms, triggerSummary } from "../conditionTicket";

const LIVE = new Set<string>(["waiting", "active"]);

export const isLiveCondition = (condition: Pick<Condition, "status">) => LIVE.has(condition.status);

function ConditionStatusLabel({ condition, entry }: { condition: Condition; entry: Order | undefined }) {
  const t = useT();
  const key = `conditionStatus.${condition.status}`;
  return (
    <span className="status-cell">
      <span className={`status condition-status-${condition.status}`}>{hasMessage(key) ? t(key) : condition.status}</span>
      {condition.status === "waiting" && condition.parent_order !== null && (
        <span className="muted hint">
          {t("condition.entryOrder")} #{condition.parent_order}
          {entry ? ` ${formatWon(entry.filled_quantity)}/${formatWon(entry.quantity)}${t("order.shares")}` : ""}
        </span>
      )}
      {condition.message && (
        <span className={condition.status === "failed" ? "field-error" : "muted hint"} data-testid="condition-message">
          {condition.message}
        </span>
      )}
    </span>
  );
}

function PlacedOrder({ condition, order }: { condition: Condition; order: Order | undefined }) {
  const t = useT();
  if (condition.order === null) return <>-</>;
  const key = order ? `status.${order.status}` : null;
  return (
    <span className="num" data-testid="condition-order" data-order-id={condition.order}>
      #{condition.order}
      {order && key && (
        <span className={`status status-${order.status}`}> {hasMessage(key) ? t(key) : order.status}</span>
      )}
      {order && order.filled_quantity > 0 && (
        <span className="muted">
          {" "}
          {formatWon(order.filled_quantity)}
          {t("order.shares")} @ {order.avg_fill_price ? formatWon(order.avg_fill_price) : "-"}
        </span>
      )}
    </span>
  );
}

/**
 * The account's 자동감시주문, newest first: what each watches, its state (the reason when a trigger
 * failed, the entry it waits for), the order it placed, and 취소 for those still watching or
 * waiting. With `symbol` (the symbol page) only that symbol's, without a name column.
 */
export function ConditionsTable({ accountId, symbol }: { accountId: number; symbol?: string }) {
  const t = useT();
  const language = useUiStore((s) => s.language);
  const conditions = useConditions({ account: accountId, symbol });
  // The orders the conditions placed or wait for: the same list (and cache) as the open orders'.
  const orders = useOrders({ account: accountId, symbol });
  const [cancelId, setCancelId] = useState<number | null>(null);
  const byId = new Map((orders.data ?? []).map((o) => [o.id, o]));
  const list = conditions.data ?? [];
  const chosen = list.find((c) => c.id === cancelId) ?? null;
  return (
    <>
      <QueryState query={conditions} isEmpty={(rows) => rows.length === 0} empty={t("condition.none")}>
        {(rows) => (
          <div className="scroll-x">
            <table className="table cards" data-testid="conditions">
              <thead>
                <tr>
                  <th>{t("order.time")}</th>
                  {!symbol && <th>{t("market.name")}</th>}
                  <th>{t("condition.kind")}</th>
                  <th>{t("order.side")}</th>
                  <th>{t("condition.trigger")}</th>
                  <th className="right">{t("order.quantity")}</th>
                  <th>{t("condition.order")}</th>
                  <th>{t("order.status")}</th>
                  <th>{t("condition.placedOrder")}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map((condition) => (
                  <tr
                    key={condition.id}
                    data-condition-id={condition.id}
                    data-status={condition.status}
                    data-trigger={condition.trigger}
                    data-oco={condition.oco_group || undefined}
                  >
                    <td data-label={t("order.time")} className="num muted">
                      {formatDateTime(condition.created_at)}
                    </td>
                    {!symbol && (
                      <td data-label={t("market.name")}>
                        <Link to={`/symbols/${condition.symbol}`}>{condition.symbol_name || condition.symbol}</Link>
                      </td>
                    )}
                    <td data-label={t("condition.kind")}>
                      <span>
                        {t(`condition.${condition.trigger}`)}
                        {condition.oco_group && <span className="tag">{t("condition.oco")}</span>}
                      </span>
                    </td>
                    <td data-label={t("order.side")}>
                      <span className={condition.side === "buy" ? "dir-up" : "dir-down"}>{t(condition.side === "buy" ? "order.buy" : "order.sell")}</span>
                    </td>
                    <td data-label={t("condition.trigger")} className="num" data-testid="condition-trigger">
                      <span>
                        {triggerSummary(condition, language)}
                        {condition.trigger === "trailing" && condition.extreme !== null && (
                          <span className="muted">
                            {" "}
                            ({t(condition.side === "sell" ? "market.high" : "market.low")} {formatWon(condition.extreme)})
                          </span>
                        )}
                      </span>
                    </td>
                    <td data-label={t("order.quantity")} className="right num">
                      {formatWon(condition.quantity)}
                    </td>
                    <td data-label={t("condition.order")}>
                      {condition.order_type === "limit" && condition.limit_price ? `${t("order.limit")} ${formatWon(condition.limit_price)}` : t("order.market")}
                    </td>
                    <td data-label={t("order.status")}>
                      <ConditionStatusLabel condition={condition} entry={condition.parent_order !== null ? byId.get(condition.parent_order) : undefined} />
                    </td>
                    <td data-label={t("condition.placedOrder")}>
                      <PlacedOrder condition={condition} order={condition.order !== null ? byId.get(condition.order) : undefined} />
                    </td>
                    <td className="actions-cell">
                      {isLiveCondition(condition) && (
                        <div className="order-actions">
                          <button type="button" className="btn btn-small btn-danger" onClick={() => setCancelId(condition.id)}>
                            {t("condition.cancel")}
                          </button>
                        </div>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {chosen && <ConditionCancelDialog condition={chosen} siblings={list.filter((c) => c.oco_group && c.oco_group === chosen.oco_group && c.id !== chosen.id)} onClose={() => setCancelId(null)} />}
    </>
  );
}

/** 취소 of one condition, confirmed: what it stops watching, and that a bracket's other leg goes on. */
function ConditionCancelDialog({ condition, siblings, onClose }: { condition: Condition; siblings: Condition[]; onClose: () => void }) {
  const t = useT();
  const language = useUiStore((s) => s.language);
  const push = useToasts((s) => s.push);
  const cancel = useCancelCondition();
  const liveSiblings = siblings.filter(isLiveCondition);
  const onConfirm = () =>
    cancel.mutate(condition.id, {
      onSuccess: () => {
        push({ tone: "info", text: `${condition.symbol_name || condition.symbol} #${condition.id} ${t("condition.cancelled")}` });
        onClose();
      },
    });
  return (
    <Dialog title={t("condition.cancelTitle")} onClose={() => !cancel.isPending && onClose()} testId="condition-cancel-dialog">
      <p className="order-action-head">
        <strong>{condition.symbol_name || condition.symbol}</strong> <span className="muted">{condition.symbol}</span> · {t(`condition.${condition.trigger}`)} ·{" "}
        <span className="muted">#{condition.id}</span>
      </p>
      <p>{t("condition.willCancel")}</p>
      <div className="condition-sentences priority warning" data-testid="condition-cancel-terms">
        {describeTerms(condition, { language }).map((line) => (
          <p key={line}>{line}</p>
        ))}
      </div>
      {liveSiblings.length > 0 && (
        <p className="muted" data-testid="condition-sibling-kept">
          {t("condition.siblingKept")} {liveSiblings.map((c) => `#${c.id} ${t(`condition.${c.trigger}`)}`).join(", ")}
        </p>
      )}
      <FormError error={cancel.error} />
      <div className="dialog-actions">
        <button type="button" className="btn" disabled={cancel.isPending} onClick={onClose}>
          {t("orderAction.back")}
        </button>
        <button type="button" className="btn btn-danger" autoFocus disabled={cancel.isPending} onClick={onConfirm}>
          {t("condition.confirmCancel")}
        </button>
      </div>
    </Dialog>
  );
}
