import { memo, useCallback, useEffect, useMemo, useState } from "react";
import { useParams, useSearchParams } from "react-router";

import { QueryState } from "@/components/QueryState";
import { CandleChart, type ConditionLine, type ProposedModify } from "@/features/historical/components/CandleChart";
import { OrderBookView } from "@/features/market/components/OrderBookView";
import { QuoteHeader } from "@/features/market/components/QuoteHeader";
import { TradeTape } from "@/features/market/components/TradeTape";
import { useSymbol } from "@/features/market/api/symbols";
import { useSymbolBook, useSymbolQuote, useSymbolTape } from "@/features/market/hooks/useSymbolLive";
import { useConditions } from "@/features/orders/api/conditions";
import { useOrders } from "@/features/orders/api/orders";
import { useFills } from "@/features/orders/api/positions";
import { AccountSelector } from "@/features/orders/components/AccountSummary";
import { ConditionsTable, isLiveCondition } from "@/features/orders/components/ConditionsTable";
import { OrderActionDialog } from "@/features/orders/components/OrderActionDialog";
import { OrderTicket } from "@/features/orders/components/OrderTicket";
import { OpenOrdersTable } from "@/features/orders/components/PortfolioTables";
import { conditionLevel } from "@/features/orders/conditionTicket";
import { useSelectedAccount } from "@/features/orders/hooks/useSelectedAccount";
import { useT } from "@/lib/i18n";
import { useQuoteSubscription } from "@/lib/realtime";
import { useUiStore } from "@/stores/ui";
import type { Fill, MarketSymbol, Order, OrderSide } from "@/types/models";

/** The phone shows one of these at a time; the desktop shows them all side by side. */
const VIEWS = ["quote", "book", "chart", "order"] as const;
type View = (typeof VIEWS)[number];
const VIEW_LABEL = { quote: "symbol.quote", book: "symbol.book", chart: "symbol.chart", order: "symbol.order" } as const;

export function SymbolRoute() {
  const { code = "" } = useParams();
  return <SymbolPage key={code} code={code} />;
}

/*
 * The live quote, book and tape re-render only the panes that show them (the Live* wrappers below
 * subscribe to the store themselves): a quote re-renders the header, the book, the chart's last bar
 * and the ticket, never the whole page with its tables.
 */

const LiveQuoteHeader = memo(function LiveQuoteHeader({ code, symbol }: { code: string; symbol: MarketSymbol }) {
  const quote = useSymbolQuote(code);
  const tape = useSymbolTape(code);
  return <QuoteHeader symbol={symbol} quote={quote} tape={tape} />;
});

const LiveChart = memo(function LiveChart({
  code,
  openOrders,
  fills,
  conditions,
  proposal,
  onModifyOrder,
}: {
  code: string;
  openOrders: Order[];
  fills: Fill[];
  conditions: ConditionLine[];
  proposal: ProposedModify | null;
  onModifyOrder: (orderId: number, price: number) => void;
}) {
  const quote = useSymbolQuote(code);
  return (
    <CandleChart
      code={code}
      quote={quote}
      openOrders={openOrders}
      fills={fills}
      conditions={conditions}
      proposal={proposal}
      onModifyOrder={onModifyOrder}
    />
  );
});

const LiveBook = memo(function LiveBook({
  code,
  symbol,
  ownOrders,
  onOwnOrders,
  onPrice,
}: {
  code: string;
  symbol: MarketSymbol;
  ownOrders: Order[];
  onOwnOrders: (orders: Order[]) => void;
  onPrice: (price: number) => void;
}) {
  const quote = useSymbolQuote(code);
  const { book, bookQuery } = useSymbolBook(code);
  if (!book) return <QueryState query={bookQuery}>{() => null}</QueryState>;
  return (
    <OrderBookView
      book={book}
      quote={quote}
      limits={symbol.price_limits ?? null}
      prevClose={quote?.prev_close ?? symbol.prev_close ?? undefined}
      ownOrders={ownOrders}
      onOwnOrders={onOwnOrders}
      onPrice={onPrice}
    />
  );
});

const LiveTape = memo(function LiveTape({ code }: { code: string }) {
  return <TradeTape trades={useSymbolTape(code)} />;
});

const LiveTicket = memo(function LiveTicket({
  code,
  symbol,
  pickedPrice,
  sideRequest,
}: {
  code: string;
  symbol: MarketSymbol;
  pickedPrice: { price: number; at: number } | null;
  sideRequest: { side: OrderSide; at: number } | null;
}) {
  const quote = useSymbolQuote(code);
  return <OrderTicket symbol={symbol} quote={quote} pickedPrice={pickedPrice} sideRequest={sideRequest} />;
});

/**
 * Mounts the page in steps once `start` holds, each after the previous one has been painted: the
 * header and chart first, then the book, then the ticket, then the tables and the tape. One render of all of
 * it (and its layout) would block the main thread for a long task; the steps are short ones.
 */
function useStagedMount(stages: number, start: boolean): number {
  const [stage, setStage] = useState(0);
  useEffect(() => {
    if (!start || stage >= stages) return;
    let done = false;
    let timer = 0;
    const next = () => {
      if (done) return;
      done = true;
      setStage((s) => s + 1);
    };
    // After the next frame (a task of its own, past the paint), or soon anyway where no frames come (a hidden tab).
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(next, 0);
    });
    const fallback = window.setTimeout(next, 200);
    return () => {
      done = true;
      cancelAnimationFrame(frame);
      window.clearTimeout(timer);
      window.clearTimeout(fallback);
    };
  }, [stage, stages, start]);
  return stage;
}

const MemoOpenOrdersTable = memo(OpenOrdersTable);
const MemoConditionsTable = memo(ConditionsTable);

function SymbolPage({ code }: { code: string }) {
  const t = useT();
  useQuoteSubscription([code]);
  const symbolQuery = useSymbol(code);
  const { account } = useSelectedAccount();
  const orders = useOrders({ account: account?.id, symbol: code });
  const fills = useFills(account?.id ?? null);
  // The same query (and cache) as the 감시주문 list below.
  const conditions = useConditions({ account: account?.id, symbol: code });
  const visitSymbol = useUiStore((s) => s.visitSymbol);
  const [params, setParams] = useSearchParams();
  const requested = params.get("view") as View | null;
  const view: View = requested && VIEWS.includes(requested) ? requested : "chart";
  const setView = useCallback((next: View) => setParams({ view: next }, { replace: true }), [setParams]);
  const [picked, setPicked] = useState<{ price: number; at: number } | null>(null);
  const [sideRequest, setSideRequest] = useState<{ side: OrderSide; at: number } | null>(null);
  // The orders behind a clicked 내 주문 marker, by id: the dialog shows them as they are now.
  const [bookOrderIds, setBookOrderIds] = useState<number[] | null>(null);
  // A 정정 proposed by dragging an order's line on the chart, until it is confirmed or given up.
  const [chartModify, setChartModify] = useState<ProposedModify | null>(null);
  useEffect(() => visitSymbol(code), [code, visitSymbol]);
  const stage = useStagedMount(3, symbolQuery.data !== undefined);

  const openOrders = useMemo(
    () => (orders.data ?? []).filter((o) => o.status === "new" || o.status === "partially_filled"),
    [orders.data],
  );
  const symbolFills = useMemo(() => (fills.data ?? []).filter((f) => f.symbol === code), [fills.data, code]);
  const conditionLines = useMemo(
    () =>
      (conditions.data ?? []).filter(isLiveCondition).flatMap((c): ConditionLine[] => {
        const price = conditionLevel(c);
        return price === null
          ? []
          : [{ id: c.id, trigger: c.trigger, side: c.side, quantity: c.quantity, price, waiting: c.status === "waiting" }];
      }),
    [conditions.data],
  );
  const onModifyOrder = useCallback((orderId: number, price: number) => setChartModify({ orderId, price }), []);
  const onOwnOrders = useCallback((mine: Order[]) => setBookOrderIds(mine.map((o) => o.id)), []);
  const onPrice = useCallback(
    (price: number) => {
      setPicked({ price, at: Date.now() });
      setView("order");
    },
    [setView],
  );
  const orderFrom = (side: OrderSide) => {
    setSideRequest({ side, at: Date.now() });
    setView("order");
  };
  return (
    <QueryState query={symbolQuery}>
      {(symbol) => (
        <div className="page symbol-page" data-code={code} data-view={view}>
          <LiveQuoteHeader code={code} symbol={symbol} />
          <div className="segmented wide view-switch" role="tablist" aria-label={t("symbol.view")}>
            {VIEWS.map((v) => (
              <button key={v} type="button" role="tab" aria-selected={v === view} className={v === view ? "active" : ""} onClick={() => setView(v)}>
                {t(VIEW_LABEL[v])}
              </button>
            ))}
          </div>
          <div className="symbol-grid">
            <div className="col-main">
              <div className="pane pane-chart">
                <LiveChart
                  code={code}
                  openOrders={openOrders}
                  fills={symbolFills}
                  conditions={conditionLines}
                  proposal={chartModify}
                  onModifyOrder={onModifyOrder}
                />
              </div>
              {stage >= 3 && (
                <section className="card pane pane-order pane-quote">
                  <h2>{t("order.open")}</h2>
                  {account ? (
                    <MemoOpenOrdersTable accountId={account.id} symbol={code} band={symbol.price_limits ?? null} />
                  ) : (
                    <div className="muted">{t("account.none")}</div>
                  )}
                </section>
              )}
              {stage >= 3 && account && (
                <section className="card pane pane-order pane-quote">
                  <h2>{t("condition.list")}</h2>
                  <MemoConditionsTable accountId={account.id} symbol={code} />
                </section>
              )}
            </div>
            <section className="card pane pane-book pane-quote">
              <div className="pane pane-book">
                <h2>{t("market.orderbook")}</h2>
                {stage >= 1 && <LiveBook code={code} symbol={symbol} ownOrders={openOrders} onOwnOrders={onOwnOrders} onPrice={onPrice} />}
              </div>
              <div className="pane pane-quote">
                <h2>{t("market.tape")}</h2>
                {stage >= 3 && <LiveTape code={code} />}
              </div>
            </section>
            <div className="col-side pane pane-order">
              {stage >= 2 && (
                <>
                  <div className="card-head">
                    <AccountSelector />
                  </div>
                  <LiveTicket code={code} symbol={symbol} pickedPrice={picked} sideRequest={sideRequest} />
                </>
              )}
            </div>
          </div>
          {bookOrderIds && (
            <OrderActionDialog
              orders={openOrders.filter((o) => bookOrderIds.includes(o.id))}
              band={symbol.price_limits ?? null}
              onClose={() => setBookOrderIds(null)}
            />
          )}
          {chartModify && (
            <OrderActionDialog
              orders={openOrders.filter((o) => o.id === chartModify.orderId)}
              proposedPrice={chartModify.price}
              band={symbol.price_limits ?? null}
              onClose={() => setChartModify(null)}
            />
          )}
          <div className="trade-bar" role="group" aria-label={t("order.tradeBar")}>
            <button type="button" className="btn btn-sell" onClick={() => orderFrom("sell")}>
              {t("order.sell")}
            </button>
            <button type="button" className="btn btn-buy" onClick={() => orderFrom("buy")}>
              {t("order.buy")}
            </button>
          </div>
        </div>
      )}
    </QueryState>
  );
}
