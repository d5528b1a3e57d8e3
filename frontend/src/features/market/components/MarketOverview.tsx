import { QueryState } from "@/components/QueryState";
import { useT } from "@/lib/i18n";
import { useQuoteSubscription } from "@/lib/realtime";

import { useOverview } from "../api/overview";
import { QuoteList } from "./QuoteList";

export function MarketOverview() {
  const t = useT();
  const overview = useOverview();
  const codes = overview.data
    ? [...overview.data.gainers, ...overview.data.losers, ...overview.data.most_traded].map((quote) => quote.code)
    : [];
  useQuoteSubscription(codes);
  return (
    <section className="card" aria-labelledby="overview-title">
      <h2 id="overview-title">{t("market.overview")}</h2>
      <QueryState
        query={overview}
        isEmpty={(data) => !data.gainers.length && !data.losers.length && !data.most_traded.length}
      >
        {(data) => (
          <div className="overview-grid">
            <div>
              <h3>{t("market.gainers")}</h3>
              <QuoteList quotes={data.gainers} rank="up" testId="gainers" />
            </div>
            <div>
              <h3>{t("market.losers")}</h3>
              <QuoteList quotes={data.losers} rank="down" testId="losers" />
            </div>
            <div>
              <h3>{t("market.mostTraded")}</h3>
              <QuoteList quotes={data.most_traded} rank="value" testId="most-traded" />
            </div>
          </div>
        )}
      </QueryState>
    </section>
  );
}
