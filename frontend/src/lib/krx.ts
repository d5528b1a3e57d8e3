/**
 * KRX tick sizes (unified KOSPI/KOSDAQ table since 2023-01-25), ported from market/rules.py so
 * the price stepper moves exactly the way the exchange accepts prices.
 */

/** [lower bound inclusive, tick size] — price ≥ bound uses that tick. */
export const TICK_TABLE: ReadonlyArray<readonly [number, number]> = [
  [0, 1],
  [2_000, 5],
  [5_000, 10],
  [20_000, 50],
  [50_000, 100],
  [200_000, 500],
  [500_000, 1_000],
];

export function tickSizeFor(price: number): number {
  if (price < 0) throw new RangeError("price must not be negative");
  let tick = TICK_TABLE[0][1];
  for (const [bound, size] of TICK_TABLE) {
    if (price >= bound) tick = size;
    else break;
  }
  return tick;
}

export function isOnTick(price: number): boolean {
  return Number.isInteger(price) && price > 0 && price % tickSizeFor(price) === 0;
}

export function roundToTick(price: number, mode: "down" | "up" | "nearest" = "nearest"): number {
  if (price <= 1) return 1;
  const whole = Math.trunc(price);
  const down = whole - (whole % tickSizeFor(whole));
  if (down === price || mode === "down") return down;
  const up = down + tickSizeFor(down);
  if (mode === "up") return up;
  return up - price <= price - down ? up : down;
}

export function tickUp(price: number, steps = 1): number {
  let p = price;
  for (let i = 0; i < steps; i += 1) p += tickSizeFor(p);
  return p;
}

export function tickDown(price: number, steps = 1): number {
  let p = price;
  for (let i = 0; i < steps; i += 1) {
    const lower = p - 1;
    p = Math.max(lower - (lower % tickSizeFor(lower)), 1);
  }
  return p;
}

/**
 * Estimated cash effect of an order: buy = notional + commission; sell = notional - commission -
 * tax. Rates are decimal strings from GET /api/v1/orders/costs. Commission and tax are rounded
 * down to the won, as the engine does for display purposes (the fill is authoritative).
 */
export function estimateOrderCost(args: {
  side: "buy" | "sell";
  price: number;
  quantity: number;
  commissionRate: string | number;
  sellTaxRate: string | number;
}): { notional: number; commission: number; tax: number; total: number } {
  const notional = Math.max(0, Math.round(args.price * args.quantity));
  const commission = Math.floor(notional * Number(args.commissionRate));
  const tax = args.side === "sell" ? Math.floor(notional * Number(args.sellTaxRate)) : 0;
  const total = args.side === "buy" ? notional + commission : notional - commission - tax;
  return { notional, commission, tax, total };
}
