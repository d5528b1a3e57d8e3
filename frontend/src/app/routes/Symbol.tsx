import { useState } from "react";
import { useParams } from "react-router";

import { QueryState } from "@/components/QueryState";
import { CandleChart } from "@/features/historical/components/CandleChart";
import { OrderBookView } from "@/features/market/components/OrderBookView";
import { QuoteHeader } from "@/features/market/components/QuoteHeader";
import { TradeTape } from "@/features/market/components/TradeTape";
import { useSymbolLive } from "@/features/market/hooks/useSymbolLive";
import { AccountSelector } from "@/features/orders/components/AccountSummary";
import { OrderPanel } from "@/features/orders/components/OrderPanel";
import { OpenOrdersTable } from "@/features/orders/components/PortfolioTables";
import { useSelectedAccount } from "@/features/orders/hooks/useSelectedAccount";
import { useT } from "@/lib/i18n";

export function SymbolRoute() {
  const { code = "" } = useParams();
  return <SymbolPage key={code} code={code} />;
}

function SymbolPage({ code }: { code: string }) {
  const t = useT();
  const live = useSymbolLive(code);
  const { account } = useSelectedAccount();
  const [picked, setPicked] = useState<{ price: number; at: number } | null>(null);
  return (
    <QueryState query={live.symbol}>
      {(symbol) => (
        <div className="page symbol-page" data-code={code}>
          <QuoteHeader symbol={symbol} quote={live.quote} />
          <div className="symbol-grid">
            <div className="col-main">
              <CandleChart code={code} quote={live.quote} />
              <section className="card">
                <h2>{t("order.open")}</h2>
                {account ? <OpenOrdersTable accountId={account.id} symbol={code} /> : <div className="muted">{t("account.none")}</div>}
              </section>
            </div>
            <section className="card">
              <h2>{t("market.orderbook")}</h2>
              {live.book ? (
                <OrderBookView
                  book={live.book}
                  prevClose={live.quote?.prev_close ?? symbol.prev_close}
                  onPrice={(price) => setPicked({ price, at: Date.now() })}
                />
              ) : (
                <QueryState query={live.bookQuery}>{() => null}</QueryState>
              )}
              <h2>{t("market.tape")}</h2>
              <TradeTape trades={live.tape} />
            </section>
            <div className="col-side">
              <div className="card-head">
                <AccountSelector />
              </div>
              <OrderPanel symbol={symbol} quote={live.quote} pickedPrice={picked} />
            </div>
          </div>
        </div>
      )}
    </QueryState>
  );
}
