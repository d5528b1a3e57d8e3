import { Link } from "react-router";

import { Change, Price } from "@/components/Price";
import { formatWon } from "@/lib/format";
import { useLiveMarket } from "@/lib/realtime";
import type { Quote } from "@/types/models";

/** A compact ranked list of quotes (gainers, losers, most traded), live where the socket has news. */
export function QuoteList({ quotes, metric, testId }: { quotes: Quote[]; metric: "rate" | "value"; testId?: string }) {
  const live = useLiveMarket((state) => state.quotes);
  return (
    <ol className="quote-list" data-testid={testId}>
      {quotes.map((snapshot) => {
        const quote = live[snapshot.code] ?? snapshot;
        return (
          <li key={quote.code}>
            <Link to={`/symbols/${quote.code}`} className="quote-row">
              <span className="name">{quote.name}</span>
              <span className="code muted">{quote.code}</span>
              <Price value={quote.price} change={quote.change} />
              {metric === "rate" ? (
                <Change change={quote.change} rate={quote.change_rate} />
              ) : (
                <span className="num muted">{formatWon(Math.round(quote.value / 1_000_000))}M</span>
              )}
            </Link>
          </li>
        );
      })}
    </ol>
  );
}
