import { Link } from "react-router";

import { Change, Price } from "@/components/Price";
import { formatKoreanAmount } from "@/lib/format";
import { useLiveMarket } from "@/lib/realtime";
import type { Quote } from "@/types/models";

/**
 * Keep a ranked list true to its name as prices move: a gainer that turned down leaves 상승률 상위
 * (and a loser that turned up leaves 하락률 상위), re-ranked by the live rate.
 */
export function rankLive(quotes: Quote[], live: Record<string, Quote>, rank: "up" | "down" | "value"): Quote[] {
  const current = quotes.map((snapshot) => live[snapshot.code] ?? snapshot);
  if (rank === "value") return current.sort((a, b) => b.value - a.value);
  if (rank === "up") return current.filter((q) => q.change_rate > 0).sort((a, b) => b.change_rate - a.change_rate);
  return current.filter((q) => q.change_rate < 0).sort((a, b) => a.change_rate - b.change_rate);
}

/** A compact ranked list of quotes (gainers, losers, most traded), live where the socket has news. */
export function QuoteList({ quotes, rank, testId }: { quotes: Quote[]; rank: "up" | "down" | "value"; testId?: string }) {
  const live = useLiveMarket((state) => state.quotes);
  const metric = rank === "value" ? "value" : "rate";
  return (
    <ol className="quote-list" data-testid={testId}>
      {rankLive(quotes, live, rank).map((quote) => {
        return (
          <li key={quote.code}>
            <Link to={`/symbols/${quote.code}`} className="quote-row">
              <span className="name">{quote.name}</span>
              <span className="code muted">{quote.code}</span>
              <Price value={quote.price} change={quote.change} />
              {metric === "rate" ? (
                <Change change={quote.change} rate={quote.change_rate} />
              ) : (
                <span className="num muted">{formatKoreanAmount(quote.value)}</span>
              )}
            </Link>
          </li>
        );
      })}
    </ol>
  );
}
