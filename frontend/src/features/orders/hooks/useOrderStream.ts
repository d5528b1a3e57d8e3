import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import { formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { useStreamMessages } from "@/lib/realtime";
import { useToasts } from "@/stores/toasts";
import type { OrderMessage } from "@/types/models";

/** /ws/orders: every order change or fill refreshes the account's orders, positions and cash; a fill shows a toast. */
export function useOrderStream() {
  const client = useQueryClient();
  const t = useT();
  const push = useToasts((s) => s.push);
  const onMessage = useCallback(
    (message: OrderMessage) => {
      if (message.type === "order" || message.type === "fill") void client.invalidateQueries({ queryKey: ["orders"] });
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
