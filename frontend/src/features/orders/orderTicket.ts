/**
 * The order panel's arithmetic, kept apart from the form so it can be tested on its own: how many
 * shares the cash (or the holding) allows, the % buttons, and the price band check.
 */

export interface Band {
  lower: number;
  upper: number;
}

/**
 * The most shares a buy can take: the available cash covers price × quantity plus commission.
 * A market buy is reserved at the upper limit, as brokers check it (the unused part is released
 * as it fills), so the upper limit is the price to pass for it.
 */
export function maxBuyQuantity(args: { cash: number; price: number; commissionRate: number }): number {
  if (args.price <= 0 || args.cash <= 0) return 0;
  let quantity = Math.floor(args.cash / (args.price * (1 + args.commissionRate)));
  // Commission is floored to the won; step back if rounding of the estimate left it short.
  while (quantity > 0 && quantity * args.price + Math.floor(quantity * args.price * args.commissionRate) > args.cash) quantity -= 1;
  return Math.max(0, quantity);
}

/** Shares a sell can take: held minus what open sell orders already hold. */
export function sellableQuantity(position: { quantity?: number; reserved_quantity?: number } | undefined): number {
  if (!position) return 0;
  return Math.max(0, (position.quantity ?? 0) - (position.reserved_quantity ?? 0));
}

/** 10/25/50/100% of the maximum, rounded down to whole shares (at least 1 when any is possible). */
export function quantityForShare(max: number, percent: number): number {
  if (max <= 0) return 0;
  return Math.max(1, Math.floor((max * percent) / 100));
}

/** null when the price may be sent, else which side of today's band it broke. */
export function bandViolation(price: number, band: Band | null): "above" | "below" | null {
  if (!band) return null;
  if (price > band.upper) return "above";
  if (price < band.lower) return "below";
  return null;
}
