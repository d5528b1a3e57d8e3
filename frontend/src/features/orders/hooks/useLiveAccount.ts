import { useLiveMarket, useQuoteSubscription } from "@/lib/realtime";
import type { Account } from "@/types/models";

import { usePositions } from "../api/positions";
import { accountFigures, markPosition } from "../portfolio";

/** One live computation for an account's rows and its summary (summary = Σ rows after every tick). */
export function useLiveAccount(account: Account) {
  const positions = usePositions(account.id);
  const held = (positions.data ?? []).filter((p) => p.quantity > 0);
  useQuoteSubscription(held.map((p) => p.symbol));
  const live = useLiveMarket((s) => s.quotes);
  const rows = held.map((position) => ({ position, mark: markPosition(position, live[position.symbol]?.price) }));
  const figures = accountFigures(
    account,
    rows.map((r) => r.mark),
  );
  return { positions, rows, figures };
}
