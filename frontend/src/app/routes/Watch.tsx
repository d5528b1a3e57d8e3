import { RecentSymbols } from "@/features/market/components/RecentSymbols";

/** 관심: the recent symbols (watchlist groups join here once their API lands). */
export function WatchRoute() {
  return (
    <div className="page watch">
      <RecentSymbols />
    </div>
  );
}
