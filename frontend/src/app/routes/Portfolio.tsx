import { useCallback, useState } from "react";

import { QueryState } from "@/components/QueryState";
import { AccountActions } from "@/features/orders/components/AccountActions";
import { AccountFigures, AccountSelector, CreateAccountForm } from "@/features/orders/components/AccountSummary";
import { ActivityListCard } from "@/features/orders/components/ActivityList";
import { ConditionsTable } from "@/features/orders/components/ConditionsTable";
import { EquityChartCard } from "@/features/orders/components/EquityChart";
import { FillsTable, OpenOrdersTable, OrderHistoryTable, PositionsTable } from "@/features/orders/components/PortfolioTables";
import { RealizedPnlCard } from "@/features/orders/components/RealizedPnl";
import { TradeJournalCard } from "@/features/orders/components/TradeJournal";
import { useMarketStatus } from "@/features/market/api/status";
import { useSelectedAccount } from "@/features/orders/hooks/useSelectedAccount";
import { type DayRange, quickRange } from "@/features/orders/journal";
import { seoulDay } from "@/lib/format";
import { useT } from "@/lib/i18n";

/**
 * 포트폴리오: the account's figures and equity over time, holdings, open and conditional orders,
 * 실현손익 by day and month, 매매일지 and 거래내역, then the order and fill history. Orders, fills
 * and ledger rows are stamped by the market clock, so "today" is the market's day (a practice
 * clock's day is not the wall's); the wall's until the market status is known.
 */
export function PortfolioRoute() {
  const t = useT();
  const { accounts, account } = useSelectedAccount();
  const status = useMarketStatus();
  const today = seoulDay(status.data ? new Date(status.data.now) : new Date());
  const [pickedRange, setJournalRange] = useState<DayRange | null>(null);
  const journalRange = pickedRange ?? quickRange("1w", today);
  const showDay = useCallback((day: string) => {
    setJournalRange({ from: day, to: day });
    document.getElementById("trade-journal")?.scrollIntoView({ behavior: "smooth", block: "start" });
  }, []);
  return (
    <div className="page portfolio">
      <div className="card-head">
        <h1>{t("nav.portfolio")}</h1>
        <AccountSelector />
        <CreateAccountForm />
      </div>
      <QueryState query={accounts} isEmpty={(list) => list.length === 0} empty={t("account.none")}>
        {() =>
          account && (
            <>
              <div className="portfolio-top">
                <section className="card account-card">
                  <div className="card-head">
                    <h2>{account.name}</h2>
                    <AccountActions account={account} />
                  </div>
                  <AccountFigures account={account} />
                </section>
                <EquityChartCard key={account.id} account={account} />
              </div>
              <section className="card">
                <h2>{t("portfolio.positions")}</h2>
                <PositionsTable account={account} />
              </section>
              <section className="card">
                <h2>{t("order.open")}</h2>
                <OpenOrdersTable accountId={account.id} />
              </section>
              <section className="card">
                <h2>{t("condition.list")}</h2>
                <ConditionsTable accountId={account.id} />
              </section>
              <RealizedPnlCard key={`realized-${account.id}-${today}`} accountId={account.id} today={today} onPickDay={showDay} />
              <TradeJournalCard account={account} today={today} range={journalRange} onRange={setJournalRange} />
              <ActivityListCard key={`activities-${account.id}-${today}`} account={account} today={today} />
              <section className="card">
                <h2>{t("order.history")}</h2>
                <OrderHistoryTable accountId={account.id} />
              </section>
              <section className="card">
                <h2>{t("order.fills")}</h2>
                <FillsTable accountId={account.id} />
              </section>
            </>
          )
        }
      </QueryState>
    </div>
  );
}
