import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";

import { formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { useStreamMessages } from "@/lib/realtime";
import { useToasts } from "@/stores/toasts";
import type { OrderMessage } from "@/types/models";

import { conditionsKey } from "../api/conditions";

/**
 * The conditions change a moment after the order events that cause them: a triggered condition
 * records the order it placed after that order's event, and bracket legs start watching on the
 * symbol's next print after their entry fills. Their list is looked at again this much later.
 */
const CONDITIONS_SETTLE_MS = 1_500;

/**
 * /ws/orders: every order change or fill refreshes the account's orders, positions, cash and
 * conditional orders (all under ["orders"]); a conditional order's own change refreshes the
 * conditions; a fill shows a toast.
 */
export function useOrderStream() {
  const client = useQueryClient();
  const t = useT();
  const push = useToasts((s) => s.push);
  const settle = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (settle.current) clearTimeout(settle.current);
    },
    [],
  );
  const onMessage = useCallback(
    (message: OrderMessage) => {
      if (message.type === "condition") {
        void client.invalidateQueries({ queryKey: conditionsKey });
        return;
      }
      if (message.type === "order" || message.type === "fill") {
        void client.invalidateQueries({ queryKey: ["orders"] });
        if (message.type === "fill" || message.order.condition !== null) {
          if (settle.current) clearTimeout(settle.current);
          settle.current = setTimeout(() => void client.invalidateQueries({ queryKey: conditionsKey }), CONDITIONS_SETTLE_MS);
        }
      }
      if (message.type === "fill") {
        const { trade, order } = message;
        push({
          tone: trade.side === "buy" ? "buy" : "sell",
          text: `${order.symbol_name || trade.symbol} ${t(trade.side === "buy" ? "order.buy" : "order.sell")} ${t("order.filledToast")} ${formatWon(trade.quantity)}${t("order.shares")} @ ${formatWon(trade.price)}`,
        });
      }
    },
    [client, push, t],
  );
  useStreamMessages("orders", onMessage);
}
