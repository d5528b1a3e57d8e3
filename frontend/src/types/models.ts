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
export type MarketPhase = Schemas["SessionPhaseEnum"];
export type AfterHoursSession = Schemas["AfterHoursSessionEnum"];
export type ViState = Schemas["ViOutput"];
/** A quote, with the exchange's fields (phase, session, 예상체결가, VI, 상·하한가) on every one. */
export type Quote = Out<Schemas["QuoteOutput"]>;
export type MarketSymbol = Out<Schemas["SymbolOutput"]> & Partial<Pick<Schemas["SymbolDetailOutput"], "tick_size" | "price_limits">>;
export type SymbolDetail = Out<Schemas["SymbolDetailOutput"]>;
export type BookLevel = Schemas["BookLevelOutput"];
export type OrderBook = Out<Schemas["OrderBookOutput"]>;
export type MarketOverview = Out<Schemas["OverviewOutput"]>;
/** KOSPI or KOSDAQ as GET market/indices and the `market.indices` message give it. */
export type MarketIndexValue = Out<Schemas["IndexOutput"]>;
export type MarketIndices = Out<Schemas["IndicesOutput"]>;

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
  | { type: "market.indices"; indices: MarketIndexValue[] }
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
/** 정정: the new price and/or the new open quantity (a larger one loses time priority). */
export type OrderModifyInput = Schemas["OrderModifyInputRequest"];
/** Partial cancel: the shares to cancel; omitted, all that is open. */
export type OrderCancelInput = Schemas["OrderCancelInputRequest"];
export type OrderCosts = Out<Schemas["CostsOutput"]>;
export type Position = Out<Schemas["PositionOutput"]>;
export type Fill = Out<Schemas["TradeOutput"]>;
/** 자동감시주문: a stop, take-profit or trailing condition the platform watches on the last price. */
export type Condition = Out<Schemas["ConditionOutput"]>;
export type ConditionStatus = Condition["status"];
export type ConditionInput = Schemas["ConditionInputRequest"];
/** Take-profit and stop-loss sells, one-cancels-other, on shares held or on an entry buy. */
export type BracketInput = Schemas["BracketInputRequest"];
export type BracketResult = { entry_order: Order | null; conditions: Condition[] };

export type OrderMessage =
  | { type: "order"; order: Order }
  | { type: "fill"; trade: Fill; order: Order }
  | { type: "condition"; condition: Condition }
  | { type: "hello"; stream: string }
  | { type: "error"; message: string };

// strategies: the JSON fields (indicators, hyperparameters, deployment, metrics, equity_curve)
// are untyped in the schema; their shapes follow docs/api.md.
export type Algorithm = Schemas["StrategyInputRequest"]["algorithm"];
type StrategyExecutionKnobs = "execution" | "spread_ticks" | "impact";
/** The backtest's execution model (fill at the open, spread, impact) keeps the server's defaults unless given. */
export type StrategyInput = Omit<Schemas["StrategyInputRequest"], StrategyExecutionKnobs> &
  Partial<Pick<Schemas["StrategyInputRequest"], StrategyExecutionKnobs>>;

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
