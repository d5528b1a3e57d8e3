/**
 * Domain types the features use. Parts already in the OpenAPI schema are taken from the
 * generated src/types/api.d.ts (`npm run gen:api`); the rest follow docs/api.md until their app's
 * schema lands, then switch to the generated type here, in one place.
 */
import type { components } from "./api";

type Schemas = components["schemas"];

/**
 * Response shapes: DRF writes every field of an output serializer, but the schema marks fields
 * with model defaults optional; responses are typed with every field present.
 */
type Out<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };

export type User = Schemas["UserOutput"];
export type LoginResult = Schemas["LoginOutput"];
export type UserSettings = Out<Schemas["SettingsOutput"]>;
export type SettingsPatch = Schemas["PatchedSettingsInputRequest"];
export type Job = Out<Schemas["JobOutput"]>;
export type JobStatus = Job["status"];

// market
/** Session phase of the regular board (CONTRACTS.md "Quote fields"). */
export type MarketPhase = "closed" | "pre_open" | "continuous" | "closing_auction" | "after_hours";
export type AfterHoursSession = "close_price" | "single_price";
export interface ViState {
  kind: "static" | "dynamic";
  reference_price: number;
  trigger_price: number;
  ends_at: string;
}
/**
 * The exchange's fields on a quote (CONTRACTS.md); optional so the SPA works against a backend
 * that has not sent them yet. Once they are in the schema, the generated type carries them.
 */
export interface ExchangeQuoteFields {
  phase?: MarketPhase | null;
  session?: AfterHoursSession | null;
  expected_price?: number | null;
  expected_quantity?: number | null;
  vi?: ViState | null;
  upper_limit?: number | null;
  lower_limit?: number | null;
}
export type Quote = Out<Schemas["QuoteOutput"]> & ExchangeQuoteFields;
export type MarketSymbol = Out<Schemas["SymbolOutput"]> & Partial<Pick<Schemas["SymbolDetailOutput"], "tick_size" | "price_limits">>;
export type SymbolDetail = Out<Schemas["SymbolDetailOutput"]>;
export type BookLevel = Schemas["BookLevelOutput"];
export type OrderBook = Out<Schemas["OrderBookOutput"]>;
export type MarketOverview = Out<Schemas["OverviewOutput"]>;

export interface Trade {
  code: string;
  price: number;
  quantity: number;
  side: "buy" | "sell" | string;
  time: string;
}

export type QuoteMessage =
  | { type: "trade"; trade: Trade; quote: Quote }
  | { type: "book"; book: OrderBook }
  | { type: "quote"; quote: Quote }
  | { type: "hello"; stream: string; max_codes?: number }
  | { type: "subscribed" | "unsubscribed"; codes: string[] }
  | { type: "error"; message: string };

// historical
type ApiTimeframe = NonNullable<NonNullable<import("./api").operations["v1_historical_candles_retrieve"]["parameters"]["query"]>["timeframe"]>;
/**
 * The candle API's intervals. The intraday ones (minute bars from the market's own trades) are the
 * historical app's enum values; once the schema lists them this union is the generated one.
 */
export type IntradayTimeframe = "1m" | "5m" | "15m" | "60m";
export type Timeframe = ApiTimeframe | IntradayTimeframe;

export type Candle = Omit<Schemas["CandleOutput"], "value"> & { value?: number | null };

export type CandleSeries = Omit<Schemas["CandleSeriesOutput"], "timeframe" | "candles"> & { timeframe: Timeframe; candles: Candle[] };

// orders
export type Account = Out<Schemas["AccountOutput"]>;
export type Order = Out<Schemas["OrderOutput"]>;
// Enums are named through the fields that use them: drf-spectacular's enum component names
// change when another app adds an enum with the same field name.
export type OrderSide = Order["side"];
export type OrderType = Order["type"];
export type TimeInForce = Order["time_in_force"];
export type OrderStatus = Order["status"];
export type OrderInput = Schemas["OrderInputRequest"];
export type OrderCosts = Out<Schemas["CostsOutput"]>;
export type Position = Out<Schemas["PositionOutput"]>;
export type Fill = Out<Schemas["TradeOutput"]>;

export type OrderMessage =
  | { type: "order"; order: Order }
  | { type: "fill"; trade: Fill; order: Order }
  | { type: "hello"; stream: string }
  | { type: "error"; message: string };

// strategies: the JSON fields (indicators, hyperparameters, deployment, metrics, equity_curve)
// are untyped in the schema; their shapes follow docs/api.md.
export type Algorithm = Schemas["StrategyInputRequest"]["algorithm"];
export type StrategyInput = Schemas["StrategyInputRequest"];

export type Strategy = Omit<Out<Schemas["StrategyOutput"]>, "indicators" | "hyperparameters" | "deployment"> & {
  indicators?: string[];
  hyperparameters?: Record<string, unknown>;
  deployment: { account: number; interval_seconds?: number; is_active?: boolean } | null;
};

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

export interface EquityPoint {
  date: string;
  equity: number;
  benchmark: number | null;
  baseline?: number | null;
}

type RunJson = {
  metrics?: Partial<Metrics> | null;
  benchmark_metrics?: Partial<Metrics> | null;
  baseline_metrics?: Partial<Metrics> | null;
  equity_curve?: EquityPoint[];
  trades?: unknown[];
};

export type StrategyRun = Omit<Out<Schemas["RunOutput"]>, "metrics"> & RunJson;
export type StrategyRunDetail = Omit<Out<Schemas["RunDetailOutput"]>, keyof RunJson> & RunJson;

export type JobMessage =
  | { type: "hello"; stream: string }
  | {
      type: "job";
      job: Pick<Job, "id" | "kind" | "status" | "progress" | "message" | "error" | "result"> & { updated_at?: string };
    };
