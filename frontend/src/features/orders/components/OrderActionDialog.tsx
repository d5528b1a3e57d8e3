import { type FormEvent, useRef, useState } from "react";

import { Dialog } from "@/components/Dialog";
import { FieldError, FormError } from "@/components/FieldError";
import { formatDateTime, formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { roundToTick, tickDown, tickSizeFor, tickUp } from "@/lib/krx";
import { useToasts } from "@/stores/toasts";
import type { Order } from "@/types/models";

import { useCancelOrder, useModifyOrder, useOrder } from "../api/orders";
import {
  type ModifyProblem,
  isPricedOrder,
  modifyProblem,
  openQuantity,
  planCancel,
  planModify,
  type PriorityLoss,
} from "../orderAction";
import type { Band } from "../orderTicket";

export type OrderActionMode = "modify" | "cancel";

const PROBLEM_TEXT = {
  offTick: "orderAction.offTick",
  aboveUpper: "order.aboveUpper",
  belowLower: "order.belowLower",
  quantity: "orderAction.badQuantity",
  unchanged: "orderAction.unchanged",
} as const satisfies Record<ModifyProblem, string>;

const LOSS_TEXT = { price: "orderAction.lostPrice", quantityUp: "orderAction.lostQuantity" } as const satisfies Record<PriorityLoss, string>;

const digits = (text: string) => text.replace(/[^0-9]/g, "");

/**
 * 정정 (a new price on the KRX tick grid and/or a new open quantity) or 취소 (all, or part) of one
 * open order, each confirmed on a second step that says what will happen to its place in the queue.
 * `orders` are the open orders to choose from (several when a book level holds more than one of
 * the user's); they come live from the caller, so one that fills meanwhile drops out.
 * `proposedPrice` (a line dragged on the chart) opens the 정정 of the first order at its
 * confirmation step with that price; its band is not checked here, the server's answer is shown.
 */
export function OrderActionDialog({
  orders,
  initialMode = "modify",
  band = null,
  proposedPrice,
  onClose,
}: {
  orders: Order[];
  initialMode?: OrderActionMode;
  band?: Band | null;
  proposedPrice?: number;
  onClose: () => void;
}) {
  const t = useT();
  const [firstId] = useState(orders[0]?.id ?? null);
  const [orderId, setOrderId] = useState(firstId);
  const [mode, setMode] = useState<OrderActionMode>(initialMode);
  // The order as last seen: a cancel or a fill can take it off the live list (over /ws/orders, or the
  // refetch after our own request) before our request has answered; the form stays until it has.
  const seen = useRef(new Map<number, Order>());
  for (const o of orders) seen.current.set(o.id, o);
  const live = orders.find((o) => o.id === orderId);
  const order = live ?? (orderId === null ? undefined : seen.current.get(orderId)) ?? null;
  return (
    <Dialog title={t(mode === "modify" ? "orderAction.modifyTitle" : "orderAction.cancelTitle")} onClose={onClose} testId="order-action-dialog">
      {orders.length > 1 && (
        <label>
          {t("orderAction.pick")}
          <select name="order" value={orderId ?? ""} onChange={(event) => setOrderId(Number(event.target.value))}>
            {orders.map((o) => (
              <option key={o.id} value={o.id}>
                #{o.id} · {formatWon(openQuantity(o))}
                {t("order.shares")} · {formatDateTime(o.created_at)}
              </option>
            ))}
          </select>
        </label>
      )}
      {order ? (
        // Keyed by order: picking another one starts its form afresh from its own price and quantity.
        <OrderAction
          key={order.id}
          order={order}
          gone={!live}
          mode={mode}
          setMode={setMode}
          band={band}
          proposedPrice={order.id === firstId && initialMode === "modify" ? proposedPrice : undefined}
          onClose={onClose}
        />
      ) : (
        <OrderGone onClose={onClose} />
      )}
    </Dialog>
  );
}

function OrderGone({ onClose }: { onClose: () => void }) {
  const t = useT();
  return (
    <>
      <p className="form-error" role="alert" data-testid="order-gone">
        {t("orderAction.gone")}
      </p>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          {t("orderAction.close")}
        </button>
      </div>
    </>
  );
}

function OrderAction({
  order,
  gone,
  mode,
  setMode,
  band,
  proposedPrice,
  onClose,
}: {
  order: Order;
  /** No longer among the open orders (filled or cancelled meanwhile). */
  gone: boolean;
  mode: OrderActionMode;
  setMode: (mode: OrderActionMode) => void;
  band: Band | null;
  /** A new price to confirm at once (from the chart); the form when it changes nothing. */
  proposedPrice?: number;
  onClose: () => void;
}) {
  const t = useT();
  const push = useToasts((s) => s.push);
  const modify = useModifyOrder();
  const cancel = useCancelOrder();
  const priced = isPricedOrder(order);
  const open = openQuantity(order);
  // Lists leave queue_ahead out; the order's own GET has it while it rests in the book.
  const detail = useOrder(order.id, priced && order.queue_ahead === null);
  const ahead = order.queue_ahead ?? detail.data?.queue_ahead ?? null;

  const [step, setStep] = useState<"edit" | "confirm">(() =>
    proposedPrice !== undefined && priced && planModify(order, { price: proposedPrice, quantity: open }) !== null ? "confirm" : "edit",
  );
  const [price, setPrice] = useState<number | null>(priced && proposedPrice !== undefined ? proposedPrice : (order.price ?? null));
  const [quantity, setQuantity] = useState(open);
  const [cancelAll, setCancelAll] = useState(true);
  const [cancelQuantity, setCancelQuantity] = useState(Math.max(1, Math.floor(open / 2)));

  const change = { price, quantity };
  const problem = mode === "modify" ? modifyProblem(order, change, band) : null;
  const modifyPlan = mode === "modify" ? planModify(order, change) : null;
  const cancelPlan = mode === "cancel" ? planCancel(order, cancelAll ? null : cancelQuantity) : null;
  const ready = mode === "modify" ? problem === null && modifyPlan !== null : cancelPlan !== null;
  const pending = modify.isPending || cancel.isPending;
  const answered = modify.isSuccess || cancel.isSuccess;
  const error = mode === "modify" ? modify.error : cancel.error;

  const switchMode = (next: OrderActionMode) => {
    setMode(next);
    setStep("edit");
    modify.reset();
    cancel.reset();
  };
  const onNext = (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    // A refusal stays shown next to its field until the corrected form goes on.
    modify.reset();
    cancel.reset();
    setStep("confirm");
  };
  const onConfirm = () => {
    if (mode === "modify" && modifyPlan) {
      modify.mutate(
        { id: order.id, request: modifyPlan.request },
        {
          onSuccess: () => {
            push({ tone: "info", text: `${order.symbol_name || order.symbol} #${order.id} ${t("orderAction.modified")}` });
            onClose();
          },
        },
      );
    } else if (mode === "cancel" && cancelPlan) {
      cancel.mutate(
        { id: order.id, request: cancelPlan.request },
        {
          onSuccess: () => {
            push({ tone: "info", text: `${order.symbol_name || order.symbol} #${order.id} ${t("orderAction.done")}` });
            onClose();
          },
        },
      );
    }
  };

  if (gone && !pending && !answered) return <OrderGone onClose={onClose} />;
  return (
    <div className="order-action" data-order-id={order.id} data-mode={mode} data-step={step}>
      <p className="order-action-head">
        <strong>{order.symbol_name || order.symbol}</strong> <span className="muted">{order.symbol}</span> ·{" "}
        <span className={order.side === "buy" ? "dir-up" : "dir-down"}>{t(order.side === "buy" ? "order.buy" : "order.sell")}</span>{" "}
        {t(order.type === "market" ? "order.market" : "order.limit")} · <span className="muted">#{order.id}</span>
      </p>
      <dl className="estimate" data-testid="order-action-order">
        <div>
          <dt>{t("orderAction.price")}</dt>
          <dd className="num">{order.price ? formatWon(order.price) : "-"}</dd>
        </div>
        <div>
          <dt>{t("orderAction.openQuantity")}</dt>
          <dd className="num">
            {formatWon(open)}
            {t("order.shares")}
            {order.filled_quantity > 0 && (
              <span className="muted">
                {" "}
                ({t("orderAction.filled")} {formatWon(order.filled_quantity)}
                {t("order.shares")})
              </span>
            )}
          </dd>
        </div>
        {ahead !== null && (
          <div>
            <dt>{t("order.queueAhead")}</dt>
            <dd className="num" data-testid="dialog-queue-ahead">
              {formatWon(ahead)}
              {t("order.shares")}
            </dd>
          </div>
        )}
      </dl>

      {step === "edit" ? (
        <form onSubmit={onNext} noValidate>
          <div className="segmented wide" role="group" aria-label={t("orderAction.mode")}>
            <button type="button" className={mode === "modify" ? "active" : ""} aria-pressed={mode === "modify"} onClick={() => switchMode("modify")}>
              {t("order.modify")}
            </button>
            <button type="button" className={mode === "cancel" ? "active" : ""} aria-pressed={mode === "cancel"} onClick={() => switchMode("cancel")}>
              {t("order.cancelShort")}
            </button>
          </div>
          {mode === "modify" ? (
            <>
              <label>
                {t("orderAction.newPrice")}
                <div className="stepper">
                  <button type="button" aria-label={t("order.tickDown")} disabled={!priced || price === null} onClick={() => price !== null && setPrice(tickDown(price))}>
                    −
                  </button>
                  <input
                    name="modify-price"
                    aria-label={t("orderAction.newPrice")}
                    inputMode="numeric"
                    disabled={!priced}
                    value={price === null ? "" : formatWon(price)}
                    onChange={(event) => setPrice(digits(event.target.value) ? Number(digits(event.target.value)) : null)}
                    onBlur={() => price !== null && setPrice(roundToTick(price))}
                  />
                  <button type="button" aria-label={t("order.tickUp")} disabled={!priced || price === null} onClick={() => price !== null && setPrice(tickUp(price))}>
                    +
                  </button>
                </div>
                {priced && price !== null ? (
                  <span className="hint muted">
                    {t("order.tick")} {formatWon(tickSizeFor(price))}
                    {band ? ` · ${t("order.band")} ${formatWon(band.lower)} ~ ${formatWon(band.upper)}` : ""}
                  </span>
                ) : (
                  <span className="hint muted">{t("orderAction.priceFixed")}</span>
                )}
                <FieldError error={modify.error} name="price" />
              </label>
              <label>
                {t("orderAction.newQuantity")}
                <div className="stepper">
                  <button type="button" aria-label={t("order.quantityDown")} onClick={() => setQuantity((q) => Math.max(1, q - 1))}>
                    −
                  </button>
                  <input
                    name="modify-quantity"
                    aria-label={t("orderAction.newQuantity")}
                    inputMode="numeric"
                    value={quantity}
                    onChange={(event) => setQuantity(Number(digits(event.target.value)) || 0)}
                  />
                  <button type="button" aria-label={t("order.quantityUp")} onClick={() => setQuantity((q) => q + 1)}>
                    +
                  </button>
                </div>
                <FieldError error={modify.error} name="quantity" />
              </label>
              {problem && (
                <p className={problem === "unchanged" ? "hint muted" : "field-error"} data-testid="modify-problem" data-problem={problem}>
                  {t(PROBLEM_TEXT[problem])}
                </p>
              )}
            </>
          ) : (
            <fieldset className="cancel-scope">
              <legend>{t("orderAction.scope")}</legend>
              <label className="inline">
                <input type="radio" name="cancel-scope" checked={cancelAll} onChange={() => setCancelAll(true)} />
                {t("orderAction.cancelAll")} ({formatWon(open)}
                {t("order.shares")})
              </label>
              <label className="inline">
                <input type="radio" name="cancel-scope" checked={!cancelAll} disabled={open < 2} onChange={() => setCancelAll(false)} />
                {t("orderAction.cancelPart")}
              </label>
              {!cancelAll && (
                <label className="cancel-quantity">
                  {t("orderAction.cancelQuantity")}
                  <input
                    name="cancel-quantity"
                    aria-label={t("orderAction.cancelQuantity")}
                    inputMode="numeric"
                    value={cancelQuantity}
                    onChange={(event) => setCancelQuantity(Number(digits(event.target.value)) || 0)}
                  />
                  {cancelPlan === null && (
                    <span className="field-error" data-testid="cancel-problem">
                      {t("orderAction.tooMany")} ({formatWon(open)}
                      {t("order.shares")})
                    </span>
                  )}
                </label>
              )}
            </fieldset>
          )}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={onClose}>
              {t("orderAction.close")}
            </button>
            <button type="submit" className="btn btn-primary" disabled={!ready}>
              {t("orderAction.next")}
            </button>
          </div>
        </form>
      ) : (
        <div className="order-action-confirm" data-testid="order-action-confirm">
          {mode === "modify" && modifyPlan ? (
            <>
              <p>{t("orderAction.willModify")}</p>
              <dl className="estimate change">
                {modifyPlan.price && (
                  <div data-testid="change-price">
                    <dt>{t("orderAction.price")}</dt>
                    <dd className="num">
                      {modifyPlan.price.from === null ? "-" : formatWon(modifyPlan.price.from)} → <strong>{formatWon(modifyPlan.price.to)}</strong>
                    </dd>
                  </div>
                )}
                {modifyPlan.quantity && (
                  <div data-testid="change-quantity">
                    <dt>{t("orderAction.openQuantity")}</dt>
                    <dd className="num">
                      {formatWon(modifyPlan.quantity.from)}
                      {t("order.shares")} → <strong>{formatWon(modifyPlan.quantity.to)}{t("order.shares")}</strong>
                    </dd>
                  </div>
                )}
              </dl>
              {modifyPlan.losses.length > 0 ? (
                <div className="priority warning" data-testid="priority-warning" data-priority="lost">
                  {modifyPlan.losses.map((loss) => (
                    <p key={loss}>{t(LOSS_TEXT[loss])}</p>
                  ))}
                  <p className="muted">{t("orderAction.lostNote")}</p>
                </div>
              ) : (
                <div className="priority kept" data-testid="priority-kept" data-priority="kept">
                  <p>{t("orderAction.kept")}</p>
                </div>
              )}
            </>
          ) : cancelPlan ? (
            <>
              <p>{t("orderAction.willCancel")}</p>
              <dl className="estimate change">
                <div data-testid="change-cancelled">
                  <dt>{t("orderAction.cancelled")}</dt>
                  <dd className="num">
                    <strong>
                      {formatWon(cancelPlan.cancelled)}
                      {t("order.shares")}
                    </strong>{" "}
                    <span className="muted">
                      / {t("orderAction.open")} {formatWon(open)}
                      {t("order.shares")}
                    </span>
                  </dd>
                </div>
                <div data-testid="change-remaining">
                  <dt>{t("orderAction.remaining")}</dt>
                  <dd className="num">
                    {formatWon(cancelPlan.remaining)}
                    {t("order.shares")}
                  </dd>
                </div>
              </dl>
              <div className="priority kept" data-testid="cancel-note">
                <p>{t(cancelPlan.remaining === 0 ? "orderAction.cancelAllNote" : "orderAction.partialKept")}</p>
              </div>
            </>
          ) : null}
          {order.filled_quantity > 0 && <p className="muted">{t("orderAction.filledStays")}</p>}
          <FormError error={error} />
          <div className="dialog-actions">
            <button type="button" className="btn" disabled={pending} onClick={() => setStep("edit")}>
              {t("orderAction.back")}
            </button>
            <button
              type="button"
              className={`btn ${mode === "cancel" ? "btn-danger" : "btn-primary"}`}
              // The step's one decision; the button that led here is gone, so focus would fall to the page.
              autoFocus
              disabled={pending}
              onClick={onConfirm}
            >
              {t(mode === "modify" ? "orderAction.confirmModify" : "orderAction.confirmCancel")}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
