import { QueryState } from "@/components/QueryState";
import { AccountActions } from "@/features/orders/components/AccountActions";
import { AccountFigures, AccountSelector, CreateAccountForm } from "@/features/orders/components/AccountSummary";
import { ConditionsTable } from "@/features/orders/components/ConditionsTable";
import { FillsTable, OpenOrdersTable, OrderHistoryTable, PositionsTable } from "@/features/orders/components/PortfolioTables";
import { useSelectedAccount } from "@/features/orders/hooks/useSelectedAccount";
import { useT } from "@/lib/i18n";

export function PortfolioRoute() {
  const t = useT();
  const { accounts, account } = useSelectedAccount();
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
              <section className="card">
                <div className="card-head">
                  <h2>{account.name}</h2>
                  <AccountActions account={account} />
                </div>
                <AccountFigures account={account} />
              </section>
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
