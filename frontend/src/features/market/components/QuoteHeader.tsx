import { Change, Price } from "@/components/Price";
import { formatTime, formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import type { MarketSymbol, Quote } from "@/types/models";

export function QuoteHeader({ symbol, quote }: { symbol: MarketSymbol; quote: Quote | null }) {
  const t = useT();
  return (
    <header className="card quote-header" data-testid="quote-header">
      <div className="quote-title">
        <h1>
          {symbol.name} <span className="muted code">{symbol.code}</span> <span className="tag">{symbol.market}</span>
        </h1>
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
          <dt>{t("market.time")}</dt>
          <dd className="num">{formatTime(quote?.time)}</dd>
        </div>
      </dl>
    </header>
  );
}
