import { queryOptions, useQuery } from "@tanstack/react-query";
import { type ReactNode, useDeferredValue, useMemo, useState } from "react";
import { useNavigate } from "react-router";

import { Change, Price, Signed } from "@/components/Price";
import { QueryState } from "@/components/QueryState";
import { AddToWatchlist } from "@/features/watchlists/components/AddToWatchlist";
import { type Page } from "@/lib/api";
import { formatKoreanAmount, formatWon } from "@/lib/format";
import { type HangulMatch, searchSymbols } from "@/lib/hangul";
import { type MessageKey, useT } from "@/lib/i18n";
import { useLiveMarket, useQuoteSubscription } from "@/lib/realtime";
import type { MarketSymbol, Quote } from "@/types/models";

import { getSymbols } from "../api/symbols";

const PAGE_SIZE = 20;
const DIRECTORY_PAGE = 500; // the API's largest page

/**
 * Every active symbol with its last quote, read once and kept: 초성 matching needs the names on
 * this side (the API's search knows substrings only), and a column sorts the whole market, not a
 * page of it. MTS apps keep the same 종목 master on the device.
 */
export const symbolDirectoryQueryOptions = () =>
  queryOptions({
    queryKey: ["market", "symbols", "directory"],
    queryFn: async () => {
      const all: MarketSymbol[] = [];
      for (let page = 1; ; page += 1) {
        const data = await getSymbols({ page, page_size: DIRECTORY_PAGE });
        if (Array.isArray(data)) return data;
        all.push(...(data as Page<MarketSymbol>).results);
        if (!data.next) return all;
      }
    },
    staleTime: 60_000,
    refetchInterval: 60_000,
  });

export type SortKey = "name" | "code" | "price" | "change" | "rate" | "volume" | "value";
export type SortDirection = "ascending" | "descending";
export interface Sort {
  key: SortKey;
  direction: SortDirection;
}

type Row = { symbol: MarketSymbol; quote: Quote | null; name: HangulMatch | null };

const collator = new Intl.Collator("ko-KR");

function sortValue(row: Row, key: SortKey): number | string | null {
  const q = row.quote;
  switch (key) {
    case "name":
      return row.symbol.name;
    case "code":
      return row.symbol.code;
    case "price":
      return q?.price ?? row.symbol.prev_close ?? null;
    case "change":
      return q?.change ?? null;
    case "rate":
      return q?.change_rate ?? null;
    case "volume":
      return q?.volume ?? null;
    case "value":
      return q?.value ?? null;
  }
}

/** Rows by one column; rows without a value (no quote yet) go last either way. Stable for ties. */
export function sortRows<T extends Row>(rows: readonly T[], sort: Sort | null): T[] {
  if (!sort) return [...rows];
  const sign = sort.direction === "ascending" ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: sortValue(row, sort.key) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1;
      const order = typeof a.value === "string" ? collator.compare(a.value, String(b.value)) : a.value - (b.value as number);
      return order * sign || a.index - b.index;
    })
    .map(({ row }) => row);
}

/** Numbers start from the top (거래량 상위 first); names and codes from 가 and 0. */
function firstDirection(key: SortKey): SortDirection {
  return key === "name" || key === "code" ? "ascending" : "descending";
}

const COLUMNS: { key: SortKey; label: MessageKey; numeric: boolean }[] = [
  { key: "name", label: "market.name", numeric: false },
  { key: "code", label: "market.code", numeric: false },
  { key: "price", label: "market.price", numeric: true },
  { key: "change", label: "market.change", numeric: true },
  { key: "rate", label: "market.changeRate", numeric: true },
  { key: "volume", label: "market.volume", numeric: true },
  { key: "value", label: "market.value", numeric: true },
];

/** The name with the characters the search matched marked. */
function Highlighted({ text, match }: { text: string; match: HangulMatch | null }): ReactNode {
  if (!match) return text;
  const hit = new Set(match.indices);
  const parts: ReactNode[] = [];
  let run = "";
  let marked = false;
  const flush = (key: number) => {
    if (run) parts.push(marked ? <mark key={key}>{run}</mark> : run);
    run = "";
  };
  [...text].forEach((char, i) => {
    if (hit.has(i) !== marked) {
      flush(i);
      marked = hit.has(i);
    }
    run += char;
  });
  flush(text.length);
  return parts;
}

/**
 * The symbol list with live prices for the rows on screen: search by code prefix, name, 초성 or
 * 줄임말 (lib/hangul.ts), sort by any column (a second click reverses), ♡ to a 관심 group.
 */
export function SymbolTable() {
  const t = useT();
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const [sort, setSort] = useState<Sort | null>(null);
  const query = useDeferredValue(search.trim());
  const directory = useQuery(symbolDirectoryQueryOptions());
  const live = useLiveMarket((state) => state.quotes);

  const matched = useMemo<{ symbol: MarketSymbol; name: HangulMatch | null }[]>(() => {
    const all = directory.data ?? [];
    return query ? searchSymbols(query, all) : all.map((symbol) => ({ symbol, name: null }));
  }, [directory.data, query]);
  const rows = sortRows(
    matched.map((hit) => ({ ...hit, quote: live[hit.symbol.code] ?? hit.symbol.quote ?? null })),
    sort,
  );
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const current = Math.min(page, pages);
  const shown = rows.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE);
  // 20 rows a page keeps the live subscriptions of the dashboard under the server's per-socket cap.
  useQuoteSubscription(shown.map((row) => row.symbol.code));

  const sortBy = (key: SortKey) => {
    setSort((now) => (now?.key === key ? { key, direction: now.direction === "ascending" ? "descending" : "ascending" } : { key, direction: firstDirection(key) }));
    setPage(1);
  };

  return (
    <section className="card" aria-labelledby="symbols-title">
      <div className="card-head">
        <h2 id="symbols-title">{t("market.symbols")}</h2>
        <input
          type="search"
          className="search"
          aria-label={t("market.search")}
          placeholder={t("market.searchPlaceholder")}
          value={search}
          autoComplete="off"
          onChange={(event) => {
            setSearch(event.target.value);
            setPage(1);
          }}
        />
      </div>
      <QueryState query={directory} isEmpty={() => rows.length === 0}>
        {() => (
          <>
            <table className="table cards symbol-table" data-testid="symbol-table" data-sort={sort ? `${sort.key}-${sort.direction}` : undefined}>
              <thead>
                <tr>
                  {COLUMNS.map((column) => {
                    const active = sort?.key === column.key;
                    return (
                      <th
                        key={column.key}
                        className={`${column.numeric ? "right" : ""} col-${column.key}`}
                        aria-sort={active ? sort.direction : undefined}
                        scope="col"
                      >
                        <button type="button" className={`sort${active ? " active" : ""}`} onClick={() => sortBy(column.key)} data-sort-key={column.key}>
                          {t(column.label)}
                          <span className="sort-mark" aria-hidden="true">
                            {active ? (sort.direction === "ascending" ? "▲" : "▼") : "↕"}
                          </span>
                        </button>
                      </th>
                    );
                  })}
                  <th className="col-watch">
                    <span className="sr-only">{t("nav.watch")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map(({ symbol, quote, name }) => (
                  <tr key={symbol.code} className="clickable" data-code={symbol.code} onClick={() => navigate(`/symbols/${symbol.code}`)}>
                    <td data-label={t("market.name")} className="col-name">
                      <a
                        href={`/symbols/${symbol.code}`}
                        onClick={(event) => {
                          event.preventDefault();
                        }}
                      >
                        <Highlighted text={symbol.name} match={name} />
                      </a>{" "}
                      <span className="tag">{symbol.market}</span>
                    </td>
                    <td data-label={t("market.code")} className="muted col-code">
                      {symbol.code}
                    </td>
                    <td data-label={t("market.price")} className="right col-price">
                      <Price value={quote?.price ?? symbol.prev_close} change={quote?.change} />
                    </td>
                    <td data-label={t("market.change")} className="right col-change">
                      {quote ? <Change change={quote.change} /> : "-"}
                    </td>
                    <td data-label={t("market.changeRate")} className="right col-rate">
                      {quote ? <Signed value={quote.change_rate} percent /> : "-"}
                    </td>
                    <td data-label={t("market.volume")} className="right num col-volume">
                      {formatWon(quote?.volume)}
                    </td>
                    <td data-label={t("market.value")} className="right num col-value">
                      {formatKoreanAmount(quote?.value)}
                    </td>
                    <td className="right col-watch">
                      <AddToWatchlist symbol={symbol} compact />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {pages > 1 && (
              <div className="pager">
                <button type="button" className="btn btn-small" disabled={current <= 1} onClick={() => setPage(current - 1)}>
                  {t("market.prev")}
                </button>
                <span className="muted">
                  {current} / {pages}
                </span>
                <button type="button" className="btn btn-small" disabled={current >= pages} onClick={() => setPage(current + 1)}>
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
