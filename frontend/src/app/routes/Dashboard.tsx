import { IndexHeader } from "@/features/market/components/IndexHeader";
import { MarketOverview } from "@/features/market/components/MarketOverview";
import { SymbolTable } from "@/features/market/components/SymbolTable";
import { AccountSummary } from "@/features/orders/components/AccountSummary";

export function DashboardRoute() {
  return (
    <div className="page dashboard">
      <div className="col-main">
        {/* KOSPI/KOSDAQ on the home screen where the top bar has no room for them (below 1280 px) */}
        <IndexHeader variant="home" />
        <MarketOverview />
        <SymbolTable />
      </div>
      <div className="col-side">
        <AccountSummary />
      </div>
    </div>
  );
}
