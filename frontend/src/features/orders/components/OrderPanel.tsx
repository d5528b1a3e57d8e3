import { type FormEvent, useEffect, useState } from "react";

import { FieldError, FormError } from "@/components/FieldError";
import { formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { estimateOrderCost, roundToTick, tickDown, tickSizeFor, tickUp } from "@/lib/krx";
import type { MarketSymbol, Order, OrderSide, OrderType, Quote, TimeInForce } from "@/types/models";

import { useOrderCosts, usePlaceOrder } from "../api/orders";
import { usePositions } from "../api/positions";
import { useSelectedAccount } from "../hooks/useSelectedAccount";
import { bandViolation, maxBuyQuantity, quantityForShare, sellableQuantity } from "../orderTicket";
import { orderableCash } from "../portfolio";

const SHARES = [10, 25, 50, 100] as const;
const TIF_LABEL: Record<TimeInForce, "order.tifDay" | "order.tifIoc" | "order.tifFok"> = {
  DAY: "order.tifDay",
  IOC: "order.tifIoc",
  FOK: "order.tifFok",
};

const FIELDS = ["account", "symbol", "side", "type", "time_in_force", "quantity", "price"];

/**
 * Buy/sell, market/limit, quantity and a price stepper on the KRX tick grid, with the estimated
 * cash effect (commission, and tax on sells) and the server's validation errors per field.
 */
export function OrderPanel({
  symbol,
  quote,
  pickedPrice,
  sideRequest,
}: {
  symbol: Pick<MarketSymbol, "code" | "name" | "market" | "price_limits">;
  quote: Quote | null;
  pickedPrice?: { price: number; at: number } | null;
  sideRequest?: { side: OrderSide; at: number } | null;
}) {
  const t = useT();
  const { account } = useSelectedAccount();
  const costs = useOrderCosts();
  const place = usePlaceOrder();
  const [side, setSide] = useState<OrderSide>("buy");
  const [type, setType] = useState<OrderType>("limit");
  const [tif, setTif] = useState<TimeInForce>("DAY");
  const [quantity, setQuantity] = useState(1);
  const [price, setPrice] = useState<number | null>(null);
  const [placed, setPlaced] = useState<Order | null>(null);
  const positions = usePositions(account?.id ?? null);
  const position = positions.data?.find((p) => p.symbol === symbol.code);

  /** Switching side starts a fresh ticket: the price from the other side of the book, one share. */
  const switchSide = (next: OrderSide) => {
    if (next === side) return;
    setSide(next);
    setQuantity(1);
    setPrice(null);
    setPlaced(null);
    place.reset();
  };
  useEffect(() => {
    if (sideRequest) switchSide(sideRequest.side);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new request switches
  }, [sideRequest]);

  useEffect(() => {
    if (price === null && quote) {
      const start = (side === "buy" ? quote.best_ask : quote.best_bid) ?? quote.price;
      if (start) setPrice(roundToTick(start));
    }
  }, [quote, price, side]);

  useEffect(() => {
    if (pickedPrice) {
      setPrice(pickedPrice.price);
      setType("limit");
    }
  }, [pickedPrice]);

  const band = symbol.price_limits ?? null;
  const violation = type === "limit" && price !== null ? bandViolation(price, band) : null;
  const effectivePrice = type === "market" ? ((side === "buy" ? quote?.best_ask : quote?.best_bid) ?? quote?.price ?? 0) : (price ?? 0);
  const taxRate = costs.data ? (costs.data.market_tax_rates?.[symbol.market] ?? costs.data.sell_tax_rate) : "0";
  const estimate = costs.data
    ? estimateOrderCost({ side, price: effectivePrice, quantity, commissionRate: costs.data.commission_rate, sellTaxRate: taxRate })
    : null;
  const available = account ? orderableCash(account) : 0;
  // A market buy is checked at the upper limit, as the broker reserves it.
  const buyPrice = type === "market" ? (band?.upper ?? effectivePrice) : effectivePrice;
  const maxQuantity =
    side === "buy"
      ? maxBuyQuantity({ cash: available, price: buyPrice, commissionRate: Number(costs.data?.commission_rate ?? 0) })
      : sellableQuantity(position);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!account || violation) return;
    setPlaced(null);
    place.mutate(
      {
        account: account.id,
        symbol: symbol.code,
        side,
        type,
        time_in_force: type === "market" && tif === "DAY" ? "IOC" : tif,
        session: "regular",
        quantity,
        ...(type === "limit" && price !== null ? { price } : {}),
        client_order_id: crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}`,
      },
      { onSuccess: (order) => setPlaced(order) },
    );
  };

  return (
    <form className={`card order-panel side-${side}`} onSubmit={onSubmit} data-testid="order-panel" aria-label={t("order.panel")}>
      <div className="segmented wide" role="group" aria-label={t("order.side")}>
        <button type="button" className={side === "buy" ? "active buy" : ""} aria-pressed={side === "buy"} onClick={() => switchSide("buy")}>
          {t("order.buy")}
        </button>
        <button type="button" className={side === "sell" ? "active sell" : ""} aria-pressed={side === "sell"} onClick={() => switchSide("sell")}>
          {t("order.sell")}
        </button>
      </div>
      <FieldError error={place.error} name="side" />
      <div className="segmented wide" role="group" aria-label={t("order.type")}>
        <button type="button" className={type === "limit" ? "active" : ""} aria-pressed={type === "limit"} onClick={() => setType("limit")}>
          {t("order.limit")}
        </button>
        <button type="button" className={type === "market" ? "active" : ""} aria-pressed={type === "market"} onClick={() => setType("market")}>
          {t("order.market")}
        </button>
      </div>
      <FieldError error={place.error} name="type" />

      <label>
        {t("order.price")}
        <div className="stepper">
          <button type="button" aria-label={t("order.tickDown")} disabled={type === "market" || price === null} onClick={() => price !== null && setPrice(tickDown(price))}>
            −
          </button>
          <input
            name="price"
            aria-label={t("order.price")}
            inputMode="numeric"
            disabled={type === "market"}
            value={type === "market" ? t("order.market") : price === null ? "" : formatWon(price)}
            onChange={(event) => {
              const digits = event.target.value.replace(/[^0-9]/g, "");
              setPrice(digits ? Number(digits) : null);
            }}
            onBlur={() => price !== null && setPrice(roundToTick(price))}
          />
          <button type="button" aria-label={t("order.tickUp")} disabled={type === "market" || price === null} onClick={() => price !== null && setPrice(tickUp(price))}>
            +
          </button>
        </div>
        {type === "limit" && price !== null && (
          <span className="hint muted" data-testid="tick-size">
            {t("order.tick")} {formatWon(tickSizeFor(price))}
          </span>
        )}
        {violation && band && (
          <span className="field-error" role="alert" data-testid="band-error">
            {t(violation === "above" ? "order.aboveUpper" : "order.belowLower")} ({t("order.band")} {formatWon(band.lower)} ~{" "}
            {formatWon(band.upper)})
          </span>
        )}
        <FieldError error={place.error} name="price" />
      </label>

      <label>
        {t("order.quantity")}
        <div className="stepper">
          <button type="button" aria-label={t("order.quantityDown")} onClick={() => setQuantity((q) => Math.max(1, q - 1))}>
            −
          </button>
          <input
            name="quantity"
            aria-label={t("order.quantity")}
            inputMode="numeric"
            value={quantity}
            onChange={(event) => setQuantity(Number(event.target.value.replace(/[^0-9]/g, "")) || 0)}
          />
          <button type="button" aria-label={t("order.quantityUp")} onClick={() => setQuantity((q) => q + 1)}>
            +
          </button>
        </div>
        <div className="shares" role="group" aria-label={t("order.share")}>
          {SHARES.map((share) => (
            <button
              key={share}
              type="button"
              className="btn btn-small"
              disabled={maxQuantity < 1}
              onClick={() => setQuantity(quantityForShare(maxQuantity, share))}
            >
              {share}%
            </button>
          ))}
        </div>
        <FieldError error={place.error} name="quantity" />
      </label>
      <dl className="estimate ticket-figures" data-testid="order-capacity">
        {side === "buy" ? (
          <div>
            <dt>{t("order.orderable")}</dt>
            <dd className="num" data-testid="orderable-cash">
              {formatWon(available)}
            </dd>
          </div>
        ) : (
          <div>
            <dt>{t("order.holding")}</dt>
            <dd className="num" data-testid="holding">
              {formatWon(position?.quantity ?? 0)} / {formatWon(maxQuantity)}
            </dd>
          </div>
        )}
        <div>
          <dt>{t("order.maxQuantity")}</dt>
          <dd className="num" data-testid="max-quantity">
            {formatWon(maxQuantity)}
          </dd>
        </div>
      </dl>

      <label>
        {t("order.tif")}
        <select name="time_in_force" value={tif} onChange={(event) => setTif(event.target.value as TimeInForce)}>
          {(["DAY", "IOC", "FOK"] as const).map((value) => (
            <option key={value} value={value}>
              {t(TIF_LABEL[value])}
            </option>
          ))}
        </select>
        <FieldError error={place.error} name="time_in_force" />
      </label>

      <dl className="estimate" data-testid="order-estimate">
        <div>
          <dt>{t("order.notional")}</dt>
          <dd className="num">{estimate ? formatWon(estimate.notional) : "-"}</dd>
        </div>
        <div>
          <dt>{t("order.commission")}</dt>
          <dd className="num">{estimate ? formatWon(estimate.commission) : "-"}</dd>
        </div>
        <div>
          <dt>{t("order.tax")}</dt>
          <dd className="num">{estimate ? formatWon(estimate.tax) : "-"}</dd>
        </div>
        <div className="total">
          <dt>{t("order.total")}</dt>
          <dd className="num" data-testid="order-total">
            {estimate ? formatWon(estimate.total) : "-"}
          </dd>
        </div>
      </dl>

      <FieldError error={place.error} name="account" />
      <FieldError error={place.error} name="symbol" />
      <FormError error={place.error} fields={FIELDS} />
      {placed !== null && !place.error && <PlacedNotice order={placed} />}
      {!account && <div className="muted">{t("order.noAccount")}</div>}
      <button type="submit" className={`btn btn-${side}`} disabled={!account || place.isPending || quantity < 1 || !!violation}>
        {t(side === "buy" ? "order.buy" : "order.sell")} · {t("order.submit")}
      </button>
    </form>
  );
}

/** What became of the order on arrival: resting or filled, or refused by the exchange (a closed
 * session, no book) or ended unfilled (an IOC/FOK with nothing to take) — those say why. */
function PlacedNotice({ order }: { order: Order }) {
  const t = useT();
  const ended = order.status === "cancelled" || order.status === "expired";
  if (order.status === "rejected" || (ended && order.filled_quantity === 0)) {
    return (
      <div className="form-error" role="alert" data-testid="order-refused" data-order-id={order.id}>
        {t(order.status === "rejected" ? "order.rejected" : "order.unfilled")} (#{order.id})
        {order.reject_reason ? `: ${order.reject_reason}` : ""}
      </div>
    );
  }
  return (
    <div className="form-ok" role="status" data-testid="order-placed" data-order-id={order.id}>
      {t(order.status === "filled" ? "order.filledNow" : "order.placed")} (#{order.id})
    </div>
  );
}
