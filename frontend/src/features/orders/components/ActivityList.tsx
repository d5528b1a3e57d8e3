import { useMemo, useState } from "react";
import { Link } from "react-router";

import { QueryState } from "@/components/QueryState";
import { formatSignedWon, formatTime, formatWon, seoulDay } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { useUiStore } from "@/stores/ui";
import type { Account } from "@/types/models";

import { type Activity, type ActivityFilter, type ActivityType, getAllActivities, useActivities } from "../api/history";
import { activitiesCsv, csvFilename, NOTES_KO } from "../csv";
import { activityWindow, type DayRange, quickRange } from "../journal";
import { dayTitle, type PortfolioTextKey, usePortfolioText } from "../portfolioText";
import { CsvButton } from "./CsvButton";
import { DateRangeFilter } from "./DateRangeFilter";

const KINDS = {
  all: { label: "activities.all", types: [] },
  fills: { label: "activities.fills", types: ["fill"] },
  cash: { label: "activities.cash", types: ["deposit", "reset"] },
  costs: { label: "activities.costs", types: ["commission", "tax"] },
  settlements: { label: "activities.settlements", types: ["settlement"] },
} as const satisfies Record<string, { label: PortfolioTextKey; types: readonly ActivityType[] }>;

type Kind = keyof typeof KINDS;

/** 거래내역: the account's ledger (fills, deposits, resets, commissions, taxes, T+2 settlements) over a period, newest first. */
export function ActivityListCard({ account, today }: { account: Account; today: string }) {
  const p = usePortfolioText();
  const [kind, setKind] = useState<Kind>("all");
  const [range, setRange] = useState<DayRange>(() => quickRange("1w", today));
  const filter: ActivityFilter = useMemo(() => ({ types: KINDS[kind].types, ...activityWindow(range) }), [kind, range]);
  const activities = useActivities(account.id, filter);
  return (
    <section className="card activities-card" aria-labelledby="activities-title">
      <div className="card-head">
        <h2 id="activities-title">{p("activities.title")}</h2>
        <DateRangeFilter name={p("activities.title")} range={range} today={today} onChange={setRange} />
        <CsvButton
          testId="activities-csv"
          filename={csvFilename(p("csv.activities"), account.name, range)}
          build={async () => activitiesCsv((await getAllActivities(account.id, filter)).results)}
        />
      </div>
      <div className="segmented activity-kinds" role="group" aria-label={p("activities.filter")}>
        {(Object.keys(KINDS) as Kind[]).map((key) => (
          <button key={key} type="button" className={kind === key ? "active" : ""} aria-pressed={kind === key} onClick={() => setKind(key)}>
            {p(KINDS[key].label)}
          </button>
        ))}
      </div>
      <QueryState query={activities} isEmpty={(data) => data.pages.every((page) => page.results.length === 0)} empty={p("activities.empty")}>
        {(data) => (
          <>
            <table className="table cards activities" data-testid="activities">
              <thead>
                <tr>
                  <th>{p("activities.time")}</th>
                  <th>{p("activities.kind")}</th>
                  <th>{p("activities.symbol")}</th>
                  <th>{p("activities.detail")}</th>
                  <th className="right">{p("activities.amount")}</th>
                  <th className="right">{p("activities.balance")}</th>
                </tr>
              </thead>
              <tbody>
                {data.pages
                  .flatMap((page) => page.results)
                  .map((activity) => (
                    <ActivityRow key={activity.id} activity={activity} />
                  ))}
              </tbody>
            </table>
            {activities.hasNextPage && (
              <div className="pager">
                <button type="button" className="btn btn-small" disabled={activities.isFetchingNextPage} onClick={() => void activities.fetchNextPage()}>
                  {p("activities.more")}
                </button>
              </div>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}

function ActivityRow({ activity: a }: { activity: Activity }) {
  const t = useT();
  const p = usePortfolioText();
  const language = useUiStore((s) => s.language);
  let detail: string;
  if (a.type === "fill") detail = `${t(a.side === "sell" ? "order.sell" : "order.buy")} ${formatWon(a.quantity)}${t("order.shares")} @ ${formatWon(a.price)}`;
  else if (a.type === "settlement" && a.trade_date) detail = `${dayTitle(a.trade_date, language)} ${p("activities.settles")} ${a.note}`;
  else if (a.type === "commission" || a.type === "tax") detail = a.side ? t(a.side === "sell" ? "order.sell" : "order.buy") : "";
  else detail = language === "ko" ? (NOTES_KO[a.note] ?? a.note) : a.note;
  return (
    <tr data-activity={a.id} data-type={a.type}>
      <td data-label={p("activities.time")} className="num activity-time">
        <span className="muted">{seoulDay(a.time)}</span> {formatTime(a.time)}
      </td>
      <td data-label={p("activities.kind")}>
        <span className={`activity-kind kind-${a.type}`}>{p(`activity.${a.type}`)}</span>
      </td>
      <td data-label={p("activities.symbol")}>
        {a.symbol ? (
          <>
            <Link to={`/symbols/${a.symbol}`}>{a.symbol_name || a.symbol}</Link> <span className="muted">{a.symbol}</span>
          </>
        ) : (
          ""
        )}
      </td>
      <td data-label={p("activities.detail")}>{detail}</td>
      <td data-label={p("activities.amount")} className="right num" data-amount={a.amount}>
        {formatSignedWon(a.amount)}
      </td>
      <td data-label={p("activities.balance")} className="right num">
        {a.balance_after === null ? "" : formatWon(a.balance_after)}
      </td>
    </tr>
  );
}
