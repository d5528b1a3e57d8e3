import { type FormEvent, type ReactNode, useEffect, useState } from "react";

import { Dialog } from "@/components/Dialog";
import { FormError } from "@/components/FieldError";
import { formatWon } from "@/lib/format";
import { type MessageKey, useT } from "@/lib/i18n";
import { roundToTick, tickDown, tickSizeFor, tickUp } from "@/lib/krx";
import { useToasts } from "@/stores/toasts";
import { useUiStore } from "@/stores/ui";
import type { MarketSymbol, OrderSide, Quote } from "@/types/models";

import { type ConditionRequest, usePlaceCondition } from "../api/conditions";
import { usePositions } from "../api/positions";
import {
  type ConditionForm,
  type ConditionKind,
  conditionProblem,
  describeRequest,
  type EntryMode,
  planCondition,
  startingPrices,
  type TrailUnit,
  type TriggerOrderType,
} from "../conditionTicket";
import { useSelectedAccount } from "../hooks/useSelectedAccount";

const KINDS: ConditionKind[] = ["stop", "take_profit", "trailing", "bracket"];
const ENTRIES: { value: EntryMode; label: MessageKey }[] = [
  { value: "none", label: "condition.entryNone" },
  { value: "limit", label: "condition.entryLimit" },
  { value: "market", label: "condition.entryMarket" },
];

const kindOf = (plan: ConditionRequest): ConditionKind => (plan.kind === "bracket" ? "bracket" : plan.request.trigger);

const digits = (text: string) => text.replace(/[^0-9]/g, "");

const EMPTY: ConditionForm = {
  kind: "stop",
  side: "sell",
  quantity: 1,
  triggerPrice: null,
  trailUnit: "percent",
  trailAmount: null,
  trailPercent: "3",
  orderType: "market",
  limitPrice: null,
  takeProfit: null,
  stopLoss: null,
  entry: "none",
  entryPrice: null,
};

/** A price on the KRX tick grid: − / + move one tick, a typed price snaps to the grid on blur. */
function PriceField({
  label,
  name,
  value,
  onChange,
  hint,
  step,
}: {
  label: string;
  name: string;
  value: number | null;
  onChange: (value: number | null) => void;
  hint?: ReactNode;
  /** A distance rather than a price (a trail in won): steps of `step` won, no snapping. */
  step?: number;
}) {
  const t = useT();
  const down = (v: number) => (step ? Math.max(1, v - step) : tickDown(v));
  const up = (v: number) => (step ? v + step : tickUp(v));
  return (
    <label>
      {label}
      <div className="stepper">
        <button type="button" aria-label={`${label} -tick`} disabled={value === null} onClick={() => value !== null && onChange(down(value))}>
          −
        </button>
        <input
          name={name}
          aria-label={label}
          inputMode="numeric"
          value={value === null ? "" : formatWon(value)}
          onChange={(event) => onChange(digits(event.target.value) ? Number(digits(event.target.value)) : null)}
          onBlur={() => !step && value !== null && onChange(roundToTick(value))}
        />
        <button type="button" aria-label={`${label} +tick`} disabled={value === null} onClick={() => value !== null && onChange(up(value))}>
          +
        </button>
      </div>
      <span className="hint muted">{hint ?? (value !== null && !step ? `${t("order.tick")} ${formatWon(tickSizeFor(value))}` : null)}</span>
    </label>
  );
}

function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  tone,
}: {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
  tone?: (value: T) => string;
}) {
  return (
    <div className="segmented wide" role="group" aria-label={label}>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          className={option.value === value ? `active ${tone?.(option.value) ?? ""}`.trim() : ""}
          aria-pressed={option.value === value}
          onClick={() => onChange(option.value)}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}

/**
 * 자동감시주문: a stop (손절), take-profit, trailing stop or bracket (이익실현 + 손절, OCO, on shares held
 * or on an entry buy). "다음" says in a sentence what the platform will do and asks to confirm;
 * the server's refusal (a condition the last price already meets, a sell of more than is held)
 * is shown there as it says it.
 */
export function ConditionPanel({
  symbol,
  quote,
  pickedPrice,
}: {
  symbol: Pick<MarketSymbol, "code" | "name" | "market" | "price_limits">;
  quote: Quote | null;
  pickedPrice?: { price: number; at: number } | null;
}) {
  const t = useT();
  const language = useUiStore((s) => s.language);
  const push = useToasts((s) => s.push);
  const { account } = useSelectedAccount();
  const positions = usePositions(account?.id ?? null);
  const position = positions.data?.find((p) => p.symbol === symbol.code);
  const place = usePlaceCondition();
  const [form, setForm] = useState<ConditionForm>(EMPTY);
  // The (kind, side) the prices were last started for: a new one starts them around the last price.
  const [startedFor, setStartedFor] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ plan: ConditionRequest; lines: string[] } | null>(null);
  const [placedIds, setPlacedIds] = useState<number[] | null>(null);
  const last = quote?.price || null;
  const band = symbol.price_limits ?? null;
  const update = (change: Partial<ConditionForm>) => {
    setForm((f) => ({ ...f, ...change }));
    setPlacedIds(null);
  };

  const startKey = `${form.kind}:${form.side}`;
  useEffect(() => {
    if (last && startedFor !== startKey) {
      setForm((f) => ({ ...f, ...startingPrices(f.kind, f.side, last) }));
      setStartedFor(startKey);
    }
  }, [last, startKey, startedFor]);

  useEffect(() => {
    if (!pickedPrice) return;
    setForm((f) => {
      if (f.kind === "bracket") return { ...f, entry: "limit", entryPrice: pickedPrice.price };
      if (f.kind === "trailing") return f.orderType === "limit" ? { ...f, limitPrice: pickedPrice.price } : f;
      return { ...f, triggerPrice: pickedPrice.price };
    });
  }, [pickedPrice]);

  const context = { account: account?.id ?? 0, symbol: symbol.code, last, band };
  const problem = conditionProblem(form, context);
  // Said as soon as the form is complete; sent only with an account.
  const draft = planCondition(form, context);
  const plan = account ? draft : null;
  const lines = draft ? describeRequest(draft, { last, language }) : [];
  const sells = form.kind === "bracket" ? form.entry === "none" : form.side === "sell";
  const held = position?.quantity ?? 0;

  const onNext = (event: FormEvent) => {
    event.preventDefault();
    if (!plan) return;
    place.reset();
    setConfirm({ plan, lines });
  };
  const onConfirm = () => {
    if (!confirm) return;
    const kind = kindOf(confirm.plan);
    place.mutate(confirm.plan, {
      onSuccess: (conditions) => {
        const ids = conditions.map((c) => c.id);
        setPlacedIds(ids);
        setConfirm(null);
        push({ tone: "info", text: `${symbol.name} ${t(`condition.${kind}`)} ${t("condition.placed")} (${ids.map((id) => `#${id}`).join(", ")})` });
      },
    });
  };

  const sideToggle = form.kind !== "bracket" && (
    <Segmented<OrderSide>
      label={t("order.side")}
      value={form.side}
      options={[
        { value: "buy", label: t("order.buy") },
        { value: "sell", label: t("order.sell") },
      ]}
      tone={(side) => side}
      onChange={(side) => update({ side })}
    />
  );

  return (
    <>
      <form
        className={`card order-panel condition-panel side-${form.kind === "bracket" ? "sell" : form.side}`}
        onSubmit={onNext}
        noValidate
        data-testid="condition-panel"
        aria-label={t("condition.panel")}
      >
        <Segmented<ConditionKind>
          label={t("condition.kind")}
          value={form.kind}
          options={KINDS.map((kind) => ({ value: kind, label: t(`condition.tab.${kind}`) }))}
          onChange={(kind) => update({ kind })}
        />
        <p className="hint muted condition-hint">{t(`condition.hint.${form.kind}`)}</p>
        {sideToggle}
        <p className="hint muted" data-testid="condition-last">
          {t("condition.last")} <span className="num">{last ? formatWon(last) : "-"}</span>
        </p>

        {(form.kind === "stop" || form.kind === "take_profit") && (
          <PriceField label={t("condition.triggerPrice")} name="trigger_price" value={form.triggerPrice} onChange={(triggerPrice) => update({ triggerPrice })} />
        )}

        {form.kind === "trailing" && (
          <>
            <Segmented<TrailUnit>
              label={t("condition.trailUnit")}
              value={form.trailUnit}
              options={[
                { value: "percent", label: t("condition.trailPercent") },
                { value: "won", label: t("condition.trailWon") },
              ]}
              onChange={(trailUnit) => update({ trailUnit })}
            />
            {form.trailUnit === "won" ? (
              <PriceField
                label={`${t("condition.trail")} (${t("condition.trailWon")})`}
                name="trail_amount"
                value={form.trailAmount}
                step={last ? tickSizeFor(last) : 1}
                hint={last ? `${t("order.tick")} ${formatWon(tickSizeFor(last))}` : null}
                onChange={(trailAmount) => update({ trailAmount })}
              />
            ) : (
              <label>
                {`${t("condition.trail")} (%)`}
                <input
                  name="trail_percent"
                  aria-label={`${t("condition.trail")} (%)`}
                  inputMode="decimal"
                  className="num"
                  value={form.trailPercent}
                  onChange={(event) => update({ trailPercent: event.target.value.replace(/[^0-9.]/g, "") })}
                />
                <span className="hint muted">0.01 ~ 30</span>
              </label>
            )}
          </>
        )}

        {form.kind === "bracket" && (
          <>
            <PriceField label={t("condition.takeProfitPrice")} name="take_profit" value={form.takeProfit} onChange={(takeProfit) => update({ takeProfit })} />
            <PriceField label={t("condition.stopLossPrice")} name="stop_loss" value={form.stopLoss} onChange={(stopLoss) => update({ stopLoss })} />
            <Segmented<EntryMode>
              label={t("condition.entry")}
              value={form.entry}
              options={ENTRIES.map((entry) => ({ value: entry.value, label: t(entry.label) }))}
              onChange={(entry) => update({ entry })}
            />
            {form.entry === "limit" && (
              <PriceField
                label={t("condition.entryPrice")}
                name="entry_price"
                value={form.entryPrice}
                onChange={(entryPrice) => update({ entryPrice })}
                hint={
                  form.entryPrice !== null
                    ? `${t("order.tick")} ${formatWon(tickSizeFor(form.entryPrice))}${band ? ` · ${t("order.band")} ${formatWon(band.lower)} ~ ${formatWon(band.upper)}` : ""}`
                    : null
                }
              />
            )}
          </>
        )}

        <label>
          {t("order.quantity")}
          <div className="stepper">
            <button type="button" aria-label={`${t("order.quantity")} -1`} onClick={() => update({ quantity: Math.max(1, form.quantity - 1) })}>
              −
            </button>
            <input
              name="quantity"
              aria-label={t("order.quantity")}
              inputMode="numeric"
              value={form.quantity}
              onChange={(event) => update({ quantity: Number(digits(event.target.value)) || 0 })}
            />
            <button type="button" aria-label={`${t("order.quantity")} +1`} onClick={() => update({ quantity: form.quantity + 1 })}>
              +
            </button>
          </div>
          {sells && (
            <span className="hint muted" data-testid="condition-holding">
              {t("condition.held")} {formatWon(held)}
              {t("order.shares")}
            </span>
          )}
          {sells && form.quantity > held && (
            <span className="field-error" data-testid="condition-over-holding">
              {t("condition.overHolding")}
            </span>
          )}
        </label>

        {form.kind !== "bracket" && (
          <>
            <Segmented<TriggerOrderType>
              label={t("condition.orderType")}
              value={form.orderType}
              options={[
                { value: "market", label: t("order.market") },
                { value: "limit", label: t("order.limit") },
              ]}
              onChange={(orderType) => update({ orderType, limitPrice: form.limitPrice ?? form.triggerPrice ?? (last ? roundToTick(last) : null) })}
            />
            {form.orderType === "limit" && (
              <PriceField label={t("condition.limitPrice")} name="limit_price" value={form.limitPrice} onChange={(limitPrice) => update({ limitPrice })} />
            )}
          </>
        )}

        {problem ? (
          <p className="field-error" role="alert" data-testid="condition-problem" data-problem={problem.code} data-field={problem.field ?? undefined}>
            {t(`condition.problem.${problem.code}`)}
          </p>
        ) : (
          lines.length > 0 && (
            <div className="condition-preview" data-testid="condition-preview">
              {lines.map((line) => (
                <p key={line}>{line}</p>
              ))}
            </div>
          )
        )}
        {placedIds && (
          <div className="form-ok" role="status" data-testid="condition-placed" data-condition-ids={placedIds.join(",")}>
            {t("condition.placed")} ({placedIds.map((id) => `#${id}`).join(", ")})
          </div>
        )}
        {!account && <div className="muted">{t("order.noAccount")}</div>}
        <button type="submit" className="btn btn-primary wide-button" disabled={!plan}>
          {t(`condition.${form.kind}`)} · {t("condition.next")}
        </button>
      </form>

      {confirm && (
        <Dialog title={t("condition.confirmTitle")} onClose={() => !place.isPending && setConfirm(null)} testId="condition-confirm">
          <p className="order-action-head">
            <strong>{symbol.name}</strong> <span className="muted">{symbol.code}</span> · {t(`condition.${kindOf(confirm.plan)}`)}
          </p>
          <p>{t("condition.willPlace")}</p>
          <div className="condition-sentences priority kept" data-testid="condition-sentences">
            {confirm.lines.map((line) => (
              <p key={line}>{line}</p>
            ))}
          </div>
          <p className="muted hint">{t("condition.notHeld")}</p>
          <FormError error={place.error} />
          <div className="dialog-actions">
            <button type="button" className="btn" disabled={place.isPending} onClick={() => setConfirm(null)}>
              {t("orderAction.back")}
            </button>
            <button type="button" className="btn btn-primary" autoFocus disabled={place.isPending} onClick={onConfirm}>
              {t("condition.confirm")}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
