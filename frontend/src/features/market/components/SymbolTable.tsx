import { useDeferredValue, useState } from "react";
import { useNavigate } from "react-router";

import { Change, Price } from "@/components/Price";
import { QueryState } from "@/components/QueryState";
import { resultsOf, type Page } from "@/lib/api";
import { formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { useLiveMarket, useQuoteSubscription } from "@/lib/realtime";
import type { MarketSymbol } from "@/types/models";

import { useSymbols } from "../api/symbols";

const PAGE_SIZE = 20;

/** Searchable symbol list (code or Korean name) with live prices for the rows on screen. */
export function SymbolTable() {
  const t = useT();
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const deferredSearch = useDeferredValue(search.trim());
  // 20 rows a page keeps the live subscriptions of the dashboard under the server's per-socket cap.
  const symbols = useSymbols({ search: deferredSearch || undefined, page, page_size: PAGE_SIZE });
  const rows = resultsOf(symbols.data);
  useQuoteSubscription(rows.map((row) => row.code));
  const live = useLiveMarket((state) => state.quotes);
  const paged = symbols.data && !Array.isArray(symbols.data) ? (symbols.data as Page<MarketSymbol>) : null;

  return (
    <section className="card" aria-labelledby="symbols-title">
      <div className="card-head">
        <h2 id="symbols-title">{t("market.symbols")}</h2>
        <input
          type="search"
          className="search"
          aria-label={t("market.search")}
          placeholder={t("market.search")}
          value={search}
          onChange={(event) => {
            setSearch(event.target.value);
            setPage(1);
          }}
        />
      </div>
      <QueryState query={symbols} isEmpty={(data) => resultsOf(data).length === 0}>
        {() => (
          <>
            <table className="table cards symbol-table" data-testid="symbol-table">
              <thead>
                <tr>
                  <th>{t("market.name")}</th>
                  <th>{t("market.code")}</th>
                  <th className="right">{t("market.price")}</th>
                  <th className="right">{t("market.change")}</th>
                  <th className="right">{t("market.volume")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((symbol) => {
                  const quote = live[symbol.code] ?? symbol.quote;
                  return (
                    <tr
                      key={symbol.code}
                      className="clickable"
                      data-code={symbol.code}
                      onClick={() => navigate(`/symbols/${symbol.code}`)}
                    >
                      <td data-label={t("market.name")}>
                        <a
                          href={`/symbols/${symbol.code}`}
                          onClick={(event) => {
                            event.preventDefault();
                          }}
                        >
                          {symbol.name}
                        </a>{" "}
                        <span className="tag">{symbol.market}</span>
                      </td>
                      <td data-label={t("market.code")} className="muted">{symbol.code}</td>
                      <td data-label={t("market.price")} className="right">
                        <Price value={quote?.price ?? symbol.prev_close} change={quote?.change} />
                      </td>
                      <td data-label={t("market.change")} className="right">{quote ? <Change change={quote.change} rate={quote.change_rate} /> : "-"}</td>
                      <td data-label={t("market.volume")} className="right num">{formatWon(quote?.volume)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {paged && (paged.next || paged.previous) && (
              <div className="pager">
                <button type="button" className="btn btn-small" disabled={!paged.previous} onClick={() => setPage((p) => p - 1)}>
                  {t("market.prev")}
                </button>
                <span className="muted">
                  {page} / {Math.max(1, Math.ceil(paged.count / PAGE_SIZE))}
                </span>
                <button type="button" className="btn btn-small" disabled={!paged.next} onClick={() => setPage((p) => p + 1)}>
                  {t("market.next")}
                </button>
              </div>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}
