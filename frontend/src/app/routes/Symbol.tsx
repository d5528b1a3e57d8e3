import { useEffect, useState } from "react";
import { useParams, useSearchParams } from "react-router";

import { QueryState } from "@/components/QueryState";
import { CandleChart } from "@/features/historical/components/CandleChart";
import { OrderBookView } from "@/features/market/components/OrderBookView";
import { QuoteHeader } from "@/features/market/components/QuoteHeader";
import { TradeTape } from "@/features/market/components/TradeTape";
import { useSymbolLive } from "@/features/market/hooks/useSymbolLive";
import { useOrders } from "@/features/orders/api/orders";
import { useFills } from "@/features/orders/api/positions";
import { AccountSelector } from "@/features/orders/components/AccountSummary";
import { ConditionsTable } from "@/features/orders/components/ConditionsTable";
import { OrderActionDialog } from "@/features/orders/components/OrderActionDialog";
import { OrderTicket } from "@/features/orders/components/OrderTicket";
import { OpenOrdersTable } from "@/features/orders/components/PortfolioTables";
import { useSelectedAccount } from "@/features/orders/hooks/useSelectedAccount";
import { useT } from "@/lib/i18n";
import { useUiStore } from "@/stores/ui";
import type { OrderSide } from "@/types/models";

/** The phone shows one of these at a time; the desktop shows them all side by side. */
const VIEWS = ["quote", "book", "chart", "order"] as const;
type View = (typeof VIEWS)[number];
const VIEW_LABEL = { quote: "symbol.quote", book: "symbol.book", chart: "symbol.chart", order: "symbol.order" } as const;

export function SymbolRoute() {
  const { code = "" } = useParams();
  return <SymbolPage key={code} code={code} />;
}

function SymbolPage({ code }: { code: string }) {
  const t = useT();
  const live = useSymbolLive(code);
  const { account } = useSelectedAccount();
  const orders = useOrders({ account: account?.id, symbol: code });
  const fills = useFills(account?.id ?? null);
  const visitSymbol = useUiStore((s) => s.visitSymbol);
  const [params, setParams] = useSearchParams();
  const requested = params.get("view") as View | null;
  const view: View = requested && VIEWS.includes(requested) ? requested : "chart";
  const setView = (next: View) => setParams({ view: next }, { replace: true });
  const [picked, setPicked] = useState<{ price: number; at: number } | null>(null);
  const [sideRequest, setSideRequest] = useState<{ side: OrderSide; at: number } | null>(null);
  // The orders behind a clicked 내 주문 marker, by id: the dialog shows them as they are now.
  const [bookOrderIds, setBookOrderIds] = useState<number[] | null>(null);
  useEffect(() => visitSymbol(code), [code, visitSymbol]);

  const openOrders = (orders.data ?? []).filter((o) => o.status === "new" || o.status === "partially_filled");
  const symbolFills = (fills.data ?? []).filter((f) => f.symbol === code);
  const orderFrom = (side: OrderSide) => {
    setSideRequest({ side, at: Date.now() });
    setView("order");
  };
  return (
    <QueryState query={live.symbol}>
      {(symbol) => (
        <div className="page symbol-page" data-code={code} data-view={view}>
          <QuoteHeader symbol={symbol} quote={live.quote} tape={live.tape} />
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
                <CandleChart code={code} quote={live.quote} openOrders={openOrders} fills={symbolFills} />
              </div>
              <section className="card pane pane-order pane-quote">
                <h2>{t("order.open")}</h2>
                {account ? (
                  <OpenOrdersTable accountId={account.id} symbol={code} band={symbol.price_limits ?? null} />
                ) : (
                  <div className="muted">{t("account.none")}</div>
                )}
              </section>
              {account && (
                <section className="card pane pane-order pane-quote">
                  <h2>{t("condition.list")}</h2>
                  <ConditionsTable accountId={account.id} symbol={code} />
                </section>
              )}
            </div>
            <section className="card pane pane-book pane-quote">
              <div className="pane pane-book">
                <h2>{t("market.orderbook")}</h2>
                {live.book ? (
                  <OrderBookView
                    book={live.book}
                    quote={live.quote}
                    limits={symbol.price_limits ?? null}
                    prevClose={live.quote?.prev_close ?? symbol.prev_close ?? undefined}
                    ownOrders={openOrders}
                    onOwnOrders={(mine) => setBookOrderIds(mine.map((o) => o.id))}
                    onPrice={(price) => {
                      setPicked({ price, at: Date.now() });
                      setView("order");
                    }}
                  />
                ) : (
                  <QueryState query={live.bookQuery}>{() => null}</QueryState>
                )}
              </div>
              <div className="pane pane-quote">
                <h2>{t("market.tape")}</h2>
                <TradeTape trades={live.tape} />
              </div>
            </section>
            <div className="col-side pane pane-order">
              <div className="card-head">
                <AccountSelector />
              </div>
              <OrderTicket symbol={symbol} quote={live.quote} pickedPrice={picked} sideRequest={sideRequest} />
            </div>
          </div>
          {bookOrderIds && (
            <OrderActionDialog
              orders={openOrders.filter((o) => bookOrderIds.includes(o.id))}
              band={symbol.price_limits ?? null}
              onClose={() => setBookOrderIds(null)}
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
