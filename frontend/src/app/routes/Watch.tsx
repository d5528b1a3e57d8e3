import { RecentSymbols } from "@/features/market/components/RecentSymbols";
import { WatchlistBoard } from "@/features/watchlists/components/WatchlistBoard";

/** 관심: the user's 관심종목 groups with live prices, and the symbols last opened on this device. */
export function WatchRoute() {
  return (
    <div className="page watch">
      <WatchlistBoard />
      <RecentSymbols />
    </div>
  );
}
