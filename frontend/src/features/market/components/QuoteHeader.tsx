import { useEffect, useMemo, useState } from "react";

import { Change, Price } from "@/components/Price";
import { useCandles } from "@/features/historical/api/candles";
import { AddToWatchlist } from "@/features/watchlists/components/AddToWatchlist";
import { formatKoreanAmount, formatTime, formatWon } from "@/lib/format";
import { type MessageKey, useT } from "@/lib/i18n";
import type { MarketSymbol, Quote, Trade } from "@/types/models";

import { marketTimeAt, useMarketStatus } from "../api/status";

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** 52-week high and low from the daily candles (the chart loads the same query). */
function use52Week(code: string, quote: Quote | null): { high: number | null; low: number | null } {
  const daily = useCandles(code, "1d");
  // The candles' part once per load of them, not on every quote and clock tick.
  const year = useMemo(() => {
    const since = Date.now() - YEAR_MS;
    let high: number | null = null;
    let low: number | null = null;
    for (const bar of daily.data?.candles ?? []) {
      if (new Date(String(bar.time)).getTime() < since) continue;
      high = high === null ? bar.high : Math.max(high, bar.high);
      low = low === null ? bar.low : Math.min(low, bar.low);
    }
    return { high, low };
  }, [daily.data]);
  const quoteHigh = quote?.high || null;
  const quoteLow = quote?.low || null;
  return {
    high: quoteHigh === null ? year.high : year.high === null ? quoteHigh : Math.max(quoteHigh, year.high),
    low: quoteLow === null ? year.low : year.low === null ? quoteLow : Math.min(quoteLow, year.low),
  };
}

/** 체결강도: buyer-initiated volume over seller-initiated volume × 100, over the trades seen on this page. */
export function tradeStrength(trades: Trade[]): number | null {
  let buy = 0;
  let sell = 0;
  for (const trade of trades) {
    if (trade.side === "buy") buy += trade.quantity;
    else if (trade.side === "sell") sell += trade.quantity;
  }
  return sell ? (buy * 100) / sell : null;
}

function phaseKey(phase: string | null | undefined, session: string | null | undefined): MessageKey | null {
  if (phase === "after_hours") return session === "single_price" ? "phase.single_price" : session === "close_price" ? "phase.close_price" : "phase.closed";
  if (phase === "pre_open" || phase === "continuous" || phase === "closing_auction" || phase === "closed") return `phase.${phase}`;
  return null;
}

/** The market clock's time now, ticking every second (null until the status is known). */
function useMarketNow(): number | null {
  const status = useMarketStatus();
  const [wall, setWall] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setWall(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return status.data ? marketTimeAt(status.data, status.dataUpdatedAt, wall) : null;
}

/** Seconds of market time until `endsAt` (a market time). */
function secondsLeft(endsAt: string | undefined, marketNow: number | null): number | null {
  if (!endsAt || marketNow === null) return null;
  return Math.max(0, Math.ceil((new Date(endsAt).getTime() - marketNow) / 1_000));
}

export function QuoteHeader({ symbol, quote, tape = [] }: { symbol: MarketSymbol; quote: Quote | null; tape?: Trade[] }) {
  const t = useT();
  const status = useMarketStatus();
  const week = use52Week(symbol.code, quote);
  const strength = tradeStrength(tape);
  const phase = phaseKey(quote?.phase ?? status.data?.phase, quote?.session ?? status.data?.session);
  const vi = quote?.vi ?? null;
  const marketNow = useMarketNow();
  const viLeft = secondsLeft(vi?.ends_at, marketNow);
  return (
    <header className="card quote-header" data-testid="quote-header">
      <div className="quote-title">
        <div className="quote-title-row">
          <h1>
            {symbol.name} <span className="muted code">{symbol.code}</span> <span className="tag">{symbol.market}</span>
            {phase && (
              <span className={`tag phase phase-${quote?.phase ?? status.data?.phase}`} data-testid="phase-badge">
                {t(phase)}
              </span>
            )}
            {status.data?.clock === "practice" && (
              <span className="tag" data-testid="practice-clock">
                {t("phase.practice")} {formatTime(new Date(marketNow ?? new Date(status.data.now).getTime()).toISOString())}
              </span>
            )}
            {vi && (
              <span className="tag tag-vi" data-testid="vi-badge">
                {t(vi.kind === "static" ? "vi.static" : "vi.dynamic")} {formatWon(vi.trigger_price)}
                {viLeft !== null && ` · ${Math.floor(viLeft / 60)}:${String(viLeft % 60).padStart(2, "0")}`}
              </span>
            )}
          </h1>
          <AddToWatchlist symbol={symbol} />
        </div>
        <div className="quote-price">
          <Price value={quote?.price ?? symbol.prev_close} change={quote?.change} className="big" />
          {quote && <Change change={quote.change} rate={quote.change_rate} />}
        </div>
      </div>
      <dl className="quote-stats">
        <div>
          <dt>{t("market.open")}</dt>
          <dd className="num">{formatWon(quote?.open)}</dd>
        </div>
        <div>
          <dt>{t("market.high")}</dt>
          <dd className="num dir-up">{formatWon(quote?.high)}</dd>
        </div>
        <div>
          <dt>{t("market.low")}</dt>
          <dd className="num dir-down">{formatWon(quote?.low)}</dd>
        </div>
        <div>
          <dt>{t("market.prevClose")}</dt>
          <dd className="num">{formatWon(quote?.prev_close ?? symbol.prev_close)}</dd>
        </div>
        <div>
          <dt>{t("market.volume")}</dt>
          <dd className="num">{formatWon(quote?.volume)}</dd>
        </div>
        <div>
          <dt>{t("market.value")}</dt>
          <dd className="num" data-testid="traded-value">
            {formatKoreanAmount(quote?.value)}
          </dd>
        </div>
        <div>
          <dt>{t("market.value52")}</dt>
          <dd className="num" data-testid="week52">
            <span className="dir-up">{formatWon(week.high)}</span> / <span className="dir-down">{formatWon(week.low)}</span>
          </dd>
        </div>
        <div>
          <dt>{t("market.strength")}</dt>
          <dd className="num" data-testid="strength">
            {strength === null ? "-" : `${strength.toFixed(1)}%`}
          </dd>
        </div>
        <div>
          <dt>{t("market.time")}</dt>
          <dd className="num">{formatTime(quote?.time)}</dd>
        </div>
      </dl>
    </header>
  );
}
