import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import { useStreamMessages } from "@/lib/realtime";
import type { OrderMessage } from "@/types/models";

/** /ws/orders: every order change or fill refreshes the account's orders, positions and cash. */
export function useOrderStream() {
  const client = useQueryClient();
  const onMessage = useCallback(
    (message: OrderMessage) => {
      if (message.type === "order" || message.type === "fill") void client.invalidateQueries({ queryKey: ["orders"] });
    },
    [client],
  );
  useStreamMessages("orders", onMessage);
}
