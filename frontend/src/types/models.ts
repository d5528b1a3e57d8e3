/**
 * Domain types the features use. Parts already in the OpenAPI schema are taken from the
 * generated src/types/api.d.ts (`npm run gen:api`); the rest follow docs/api.md until their app's
 * schema lands, then switch to the generated type here, in one place.
 */
import type { components } from "./api";

type Schemas = components["schemas"];

export type User = Schemas["UserOutput"];
export type LoginResult = Schemas["LoginOutput"];
export type UserSettings = Schemas["SettingsOutput"];
export type SettingsPatch = Schemas["PatchedSettingsInputRequest"];
export type Job = Schemas["JobOutput"];
export type JobStatus = Schemas["JobOutputStatusEnum"];

// market
export interface Quote {
  code: string;
  name: string;
  price: number;
  open: number;
  high: number;
  low: number;
  prev_close: number;
  change: number;
  change_rate: number | string;
  volume: number;
  value: number;
  best_bid: number | null;
  best_ask: number | null;
  time: string;
}

export interface MarketSymbol {
  code: string;
  name: string;
  name_en: string;
  market: "KOSPI" | "KOSDAQ" | "KONEX" | string;
  sector: string;
  is_active: boolean;
  is_tradable: boolean;
  prev_close: number;
  quote: Quote | null;
  tick_size?: number;
  price_limits?: { lower: number; upper: number };
}

export interface BookLevel {
  price: number;
  quantity: number;
}

export interface OrderBook {
  code: string;
  asks: BookLevel[];
  bids: BookLevel[];
  time: string;
}

export interface Trade {
  code: string;
  price: number;
  quantity: number;
  side: "buy" | "sell" | string;
  time: string;
}

export interface MarketOverview {
  gainers: Quote[];
  losers: Quote[];
  most_traded: Quote[];
}

export type QuoteMessage =
  | { type: "trade"; trade: Trade; quote: Quote }
  | { type: "book"; book: OrderBook }
  | { type: "quote"; quote: Quote };

// historical
export type Timeframe = "1d" | "1w" | "1M";

export interface Candle {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  value?: number;
}

export interface CandleSeries {
  symbol: string;
  timeframe: Timeframe;
  simulated: boolean;
  candles: Candle[];
}

// orders
export interface Account {
  id: number;
  name: string;
  initial_cash: number;
  cash: number;
  reserved_cash: number;
  available_cash: number;
  market_value: number;
  equity: number;
  realized_pnl: number;
  unrealized_pnl: number;
  total_pnl: number;
  return_rate: number | string;
  created_at: string;
  reset_at: string | null;
}

export type OrderSide = "buy" | "sell";
export type OrderType = "market" | "limit";
export type TimeInForce = "DAY" | "IOC" | "FOK";
export type OrderStatus = "new" | "partially_filled" | "filled" | "cancelled" | "rejected" | "expired";

export interface Order {
  id: number;
  account: number;
  symbol: string;
  symbol_name: string;
  side: OrderSide;
  type: OrderType;
  time_in_force: TimeInForce;
  quantity: number;
  price: number | null;
  status: OrderStatus;
  reject_reason: string;
  filled_quantity: number;
  avg_fill_price: number | string | null;
  client_order_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrderInput {
  account: number;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  time_in_force: TimeInForce;
  quantity: number;
  price?: number;
  client_order_id?: string;
}

export interface OrderCosts {
  commission_rate: string;
  sell_tax_rate: string;
  market_tax_rates: Record<string, string>;
}

export interface Position {
  account: number;
  symbol: string;
  symbol_name: string;
  quantity: number;
  reserved_quantity: number;
  avg_cost: number | string;
  realized_pnl: number;
  last_price: number;
  market_value: number;
  unrealized_pnl: number;
  unrealized_pnl_rate: number | string;
}

export interface Fill {
  id: number;
  order: number;
  account: number;
  symbol: string;
  side: OrderSide;
  quantity: number;
  price: number;
  commission: number;
  tax: number;
  time: string;
}

export type OrderMessage = { type: "order"; order: Order } | { type: "fill"; trade: Fill; order: Order };

// strategies
export type Algorithm = "PPO" | "A2C" | "DDPG" | "TD3" | "SAC";

export interface Strategy {
  id: number;
  name: string;
  algorithm: Algorithm;
  symbols: string[];
  train_start: string;
  train_end: string;
  test_start: string;
  test_end: string;
  indicators: string[];
  hyperparameters: Record<string, unknown>;
  initial_cash: number;
  seed: number | null;
  is_trained: boolean;
  deployment: { account: number; interval_seconds?: number; is_active?: boolean } | null;
  created_at: string;
}

export interface Metrics {
  cumulative_return: number | null;
  annual_return: number | null;
  annual_volatility: number | null;
  sharpe: number | null;
  sortino: number | null;
  max_drawdown: number | null;
  calmar: number | null;
  turnover: number | null;
  win_rate: number | null;
}

export interface StrategyRun {
  id: number;
  strategy: number;
  kind: "train" | "backtest";
  status: JobStatus;
  job: number | null;
  metrics: Partial<Metrics> | null;
  created_at: string;
  benchmark_metrics?: Partial<Metrics> | null;
  baseline_metrics?: Partial<Metrics> | null;
  equity_curve?: { date: string; equity: number; benchmark: number | null; baseline?: number | null }[];
  trades?: unknown[];
}

export type JobMessage = {
  type: "job";
  job: Pick<Job, "id" | "kind" | "status" | "progress" | "message" | "error" | "result"> & { updated_at?: string };
};
