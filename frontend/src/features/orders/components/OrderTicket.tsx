import { type ComponentProps, useEffect, useState } from "react";

import { useT } from "@/lib/i18n";

import { ConditionPanel } from "./ConditionPanel";
import { OrderPanel } from "./OrderPanel";

type Mode = "order" | "condition";
type PickedPrice = { price: number; at: number } | null;

/**
 * The symbol page's ticket: 일반주문 (OrderPanel) or 감시주문 (ConditionPanel). Both stay mounted, so
 * switching back keeps what was typed; a price picked in the 호가창 goes to the one shown, and a
 * 매수/매도 request from the trade bar opens the ordinary ticket.
 */
export function OrderTicket({ symbol, quote, pickedPrice, sideRequest }: ComponentProps<typeof OrderPanel>) {
  const t = useT();
  const [mode, setMode] = useState<Mode>("order");
  const [picks, setPicks] = useState<Record<Mode, PickedPrice>>({ order: null, condition: null });
  useEffect(() => {
    if (pickedPrice) setPicks((p) => ({ ...p, [mode]: pickedPrice }));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new pick is routed
  }, [pickedPrice]);
  useEffect(() => {
    if (sideRequest) setMode("order");
  }, [sideRequest]);
  return (
    <div className="order-ticket">
      <div className="segmented wide ticket-mode" role="tablist" aria-label={t("ticket.mode")}>
        {(["order", "condition"] as const).map((m) => (
          <button key={m} type="button" role="tab" aria-selected={m === mode} className={m === mode ? "active" : ""} onClick={() => setMode(m)}>
            {t(m === "order" ? "ticket.order" : "ticket.condition")}
          </button>
        ))}
      </div>
      <div hidden={mode !== "order"}>
        <OrderPanel symbol={symbol} quote={quote} pickedPrice={picks.order} sideRequest={sideRequest} />
      </div>
      <div hidden={mode !== "condition"}>
        <ConditionPanel symbol={symbol} quote={quote} pickedPrice={picks.condition} />
      </div>
    </div>
  );
}
