import { MarketOverview } from "@/features/market/components/MarketOverview";
import { SymbolTable } from "@/features/market/components/SymbolTable";
import { AccountSummary } from "@/features/orders/components/AccountSummary";

export function DashboardRoute() {
  return (
    <div className="page dashboard">
      <div className="col-main">
        <MarketOverview />
        <SymbolTable />
      </div>
      <div className="col-side">
        <AccountSummary />
      </div>
    </div>
  );
}
