import { QueryState } from "@/components/QueryState";
import { useAccounts } from "@/features/orders/api/accounts";
import { useStrategies } from "@/features/strategies/api/strategies";
import { JobsPanel } from "@/features/strategies/components/JobsPanel";
import { StrategyCard } from "@/features/strategies/components/StrategyCard";
import { StrategyForm } from "@/features/strategies/components/StrategyForm";
import { useT } from "@/lib/i18n";

export function StrategiesRoute() {
  const t = useT();
  const strategies = useStrategies();
  const accounts = useAccounts();
  return (
    <div className="page strategies">
      <h1>{t("strategy.title")}</h1>
      <div className="strategy-grid">
        <div className="col-main">
          <QueryState query={strategies} isEmpty={(list) => list.length === 0}>
            {(list) => (
              <>
                {list.map((strategy) => (
                  <StrategyCard key={strategy.id} strategy={strategy} accounts={accounts.data ?? []} />
                ))}
              </>
            )}
          </QueryState>
        </div>
        <div className="col-side">
          <StrategyForm />
          <JobsPanel />
        </div>
      </div>
    </div>
  );
}
