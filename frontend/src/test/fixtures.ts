import type { Order } from "@/types/models";

/** An open limit buy of 10 × 005930 at 49,950 (every field of the order payload), with `over` applied. */
export const anOrder = (over: Partial<Order> = {}): Order => ({
  id: 12,
  account: 7,
  symbol: "005930",
  symbol_name: "삼성전자",
  side: "buy",
  type: "limit",
  time_in_force: "DAY",
  session: "regular",
  quantity: 10,
  price: 49_950,
  status: "new",
  reject_reason: "",
  filled_quantity: 0,
  avg_fill_price: null,
  client_order_id: "",
  queue_ahead: null,
  condition: null,
  created_at: "2026-11-25T10:00:00+09:00",
  updated_at: "2026-11-25T10:00:00+09:00",
  ...over,
});
