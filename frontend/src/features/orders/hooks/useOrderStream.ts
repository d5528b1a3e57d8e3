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
 * The messages of one booking arrive together (a sweep is one message per fill): the account's
 * data is fetched again once for all of them, this long after the first.
 */
export const ORDERS_COALESCE_MS = 50;

/** `run` once per burst: the first call schedules it `delayMs` later, the calls meanwhile join it. */
export function coalesced(run: () => void, delayMs: number): { call: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    call: () => {
      if (timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        run();
      }, delayMs);
    },
    cancel: () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

/**
 * /ws/orders: every burst of order changes and fills refreshes the account's orders, positions, cash
 * and conditional orders (all under ["orders"]) once; a conditional order's own change refreshes the
 * conditions; a fill shows its order's toast, which the order's later fills update in place.
 */
export function useOrderStream() {
  const client = useQueryClient();
  const t = useT();
  const push = useToasts((s) => s.push);
  const settle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [fills] = useState(() => new FillTracker());
  const [refreshOrders] = useState(() =>
    coalesced(() => void client.invalidateQueries({ queryKey: ["orders"] }), ORDERS_COALESCE_MS),
  );
  useEffect(
    () => () => {
      if (settle.current) clearTimeout(settle.current);
      refreshOrders.cancel();
    },
    [refreshOrders],
  );
  const onMessage = useCallback(
    (message: OrderMessage) => {
      if (message.type === "condition") {
        void client.invalidateQueries({ queryKey: conditionsKey });
        return;
      }
      if (message.type === "order" || message.type === "fill") {
        refreshOrders.call();
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
    [client, fills, push, refreshOrders, t],
  );
  useStreamMessages("orders", onMessage);
}
