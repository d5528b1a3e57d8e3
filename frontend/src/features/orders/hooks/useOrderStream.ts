import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";

import { useT } from "@/lib/i18n";
import { useStreamMessages } from "@/lib/realtime";
import { useToasts } from "@/stores/toasts";
import type { OrderMessage } from "@/types/models";

import { conditionsKey } from "../api/conditions";
import { FillTracker, fillToast } from "../fillToast";

/**
 * The conditions change a moment after the order events that cause them: a triggered condition
 * records the order it placed after that order's event, and bracket legs start watching on the
 * symbol's next print after their entry fills. Their list is looked at again this much later.
 */
const CONDITIONS_SETTLE_MS = 1_500;

/**
 * /ws/orders: every order change or fill refreshes the account's orders, positions, cash and
 * conditional orders (all under ["orders"]); a conditional order's own change refreshes the
 * conditions; a fill shows its order's toast, which the order's later fills update in place.
 */
export function useOrderStream() {
  const client = useQueryClient();
  const t = useT();
  const push = useToasts((s) => s.push);
  const settle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [fills] = useState(() => new FillTracker());
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
        const order = fills.add(message.trade, message.order);
        if (order) push(fillToast(order, t));
      }
    },
    [client, fills, push, t],
  );
  useStreamMessages("orders", onMessage);
}
