import { Link } from "react-router";

import { Change, Price } from "@/components/Price";
import { useT } from "@/lib/i18n";
import { useLiveMarket, useQuoteSubscription } from "@/lib/realtime";
import { useUiStore } from "@/stores/ui";

/** The symbols last opened on this device, newest first, with live prices. */
export function RecentSymbols() {
  const t = useT();
  const codes = useUiStore((s) => s.recentSymbols);
  useQuoteSubscription(codes);
  const live = useLiveMarket((s) => s.quotes);
  return (
    <section className="card" aria-labelledby="recent-title">
      <h2 id="recent-title">{t("market.recent")}</h2>
      {codes.length === 0 ? (
        <div className="state state-empty">{t("common.empty")}</div>
      ) : (
        <ol className="quote-list" data-testid="recent-symbols">
          {codes.map((code) => {
            const quote = live[code];
            return (
              <li key={code}>
                <Link to={`/symbols/${code}`} className="quote-row">
                  <span className="name">{quote?.name ?? code}</span>
                  <span className="code muted">{code}</span>
                  <Price value={quote?.price} change={quote?.change} />
                  {quote ? <Change change={quote.change} rate={quote.change_rate} /> : <span />}
                </Link>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
