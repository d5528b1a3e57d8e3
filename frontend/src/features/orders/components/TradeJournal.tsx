import { useMemo } from "react";
import { Link } from "react-router";

import { Signed } from "@/components/Price";
import { QueryState } from "@/components/QueryState";
import { formatTime, formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { useUiStore } from "@/stores/ui";
import type { Account } from "@/types/models";

import { useJournal } from "../api/history";
import { csvFilename, journalCsv } from "../csv";
import { type DayRange, groupByDay, inRange, type JournalDay, type JournalFill, totalsOf, type Totals } from "../journal";
import { dayTitle, usePortfolioText } from "../portfolioText";
import { CsvButton } from "./CsvButton";
import { DateRangeFilter } from "./DateRangeFilter";

/**
 * 매매일지: the fills of a period by day (newest first), each with its name, time to the second
 * (Seoul), side, price, quantity, amount, commission, tax and the realised P&L it booked; the
 * period's and each day's totals; CSV of what is shown. Only the period's fills are read (GET
 * trades with after/until); their realised P&L is the server's.
 */
export function TradeJournalCard({ account, today, range, onRange }: { account: Account; today: string; range: DayRange; onRange: (range: DayRange) => void }) {
  const p = usePortfolioText();
  const journal = useJournal(account.id, range);
  // While a new period loads, the last one's rows stay (placeholder data): only those of this period show.
  const fills = useMemo(() => (journal.data?.fills ?? []).filter((f) => inRange(f.day, range)), [journal.data, range]);
  const days = useMemo(() => groupByDay(fills), [fills]);
  return (
    <section className="card journal-card" id="trade-journal" aria-labelledby="journal-title">
      <div className="card-head">
        <h2 id="journal-title">{p("journal.title")}</h2>
        <DateRangeFilter name={p("journal.title")} range={range} today={today} onChange={onRange} />
        <CsvButton
          testId="journal-csv"
          filename={csvFilename(p("csv.journal"), account.name, range)}
          build={() => journalCsv(days.flatMap((d) => d.entries))}
        />
      </div>
      <QueryState query={journal}>
        {() => (
          <>
            <JournalTotals totals={totalsOf(fills)} complete={journal.data?.complete ?? true} />
            {days.length === 0 ? (
              <div className="state state-empty">{p("journal.empty")}</div>
            ) : (
              <table className="table cards journal" data-testid="journal">
                <JournalHead />
                {days.map((day) => (
                  <JournalDayRows key={day.day} day={day} />
                ))}
              </table>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}

function JournalTotals({ totals, complete }: { totals: Totals; complete: boolean }) {
  const p = usePortfolioText();
  return (
    <dl className="journal-totals" data-testid="journal-totals" data-realized={totals.realized} data-fills={totals.fills}>
      <div>
        <dt>{p("journal.buyAmount")}</dt>
        <dd className="num">{formatWon(totals.buyAmount)}</dd>
      </div>
      <div>
        <dt>{p("journal.sellAmount")}</dt>
        <dd className="num">{formatWon(totals.sellAmount)}</dd>
      </div>
      <div>
        <dt>{p("journal.commission")}</dt>
        <dd className="num">{formatWon(totals.commission)}</dd>
      </div>
      <div>
        <dt>{p("journal.tax")}</dt>
        <dd className="num">{formatWon(totals.tax)}</dd>
      </div>
      <div>
        <dt>{p("journal.realized")}</dt>
        <dd>
          <Signed value={totals.realized} />
          {!complete && (
            <span className="muted" title={p("journal.truncated")}>
              *
            </span>
          )}
        </dd>
      </div>
      <div>
        <dt>{p("journal.fills")}</dt>
        <dd className="num">
          {formatWon(totals.fills)}
          {p("journal.count")}
        </dd>
      </div>
    </dl>
  );
}

function JournalHead() {
  const p = usePortfolioText();
  return (
    <thead>
      <tr>
        <th>{p("journal.time")}</th>
        <th>{p("journal.symbol")}</th>
        <th>{p("journal.side")}</th>
        <th className="right">{p("journal.price")}</th>
        <th className="right">{p("journal.quantity")}</th>
        <th className="right">{p("journal.amount")}</th>
        <th className="right">{p("journal.commission")}</th>
        <th className="right">{p("journal.tax")}</th>
        <th className="right">{p("journal.realized")}</th>
      </tr>
    </thead>
  );
}

function JournalDayRows({ day }: { day: JournalDay }) {
  const p = usePortfolioText();
  const language = useUiStore((s) => s.language);
  return (
    <tbody className="journal-day" data-day={day.day} data-realized={day.realized}>
      <tr className="journal-day-head">
        <th colSpan={9} scope="rowgroup">
          <span className="journal-day-title">{dayTitle(day.day, language)}</span>
          <span className="journal-day-figures">
            <span>
              <span className="muted">{p("journal.buyAmount")}</span> <span className="num">{formatWon(day.buyAmount)}</span>
            </span>
            <span>
              <span className="muted">{p("journal.sellAmount")}</span> <span className="num">{formatWon(day.sellAmount)}</span>
            </span>
            <span>
              <span className="muted">{p("journal.realized")}</span> <Signed value={day.realized} />
            </span>
          </span>
        </th>
      </tr>
      {day.entries.map((fill) => (
        <JournalRow key={fill.trade} fill={fill} />
      ))}
    </tbody>
  );
}

function JournalRow({ fill }: { fill: JournalFill }) {
  const t = useT();
  const p = usePortfolioText();
  return (
    <tr className="journal-fill" data-trade={fill.trade} data-symbol={fill.symbol} data-side={fill.side} data-realized={fill.realized}>
      <td data-label={p("journal.time")} className="num journal-time" data-testid="journal-time">
        {formatTime(fill.time)}
      </td>
      <td data-label={p("journal.symbol")} className="journal-symbol">
        <Link to={`/symbols/${fill.symbol}`} data-testid="journal-name">
          {fill.symbolName}
        </Link>{" "}
        <span className="muted">{fill.symbol}</span>
      </td>
      <td data-label={p("journal.side")} className="journal-side">
        <span className={`side-badge ${fill.side === "buy" ? "dir-up" : "dir-down"}`}>{t(fill.side === "buy" ? "order.buy" : "order.sell")}</span>
      </td>
      <td data-label={p("journal.price")} className="right num">{formatWon(fill.price)}</td>
      <td data-label={p("journal.quantity")} className="right num">{formatWon(fill.quantity)}</td>
      <td data-label={p("journal.amount")} className="right num">{formatWon(fill.amount)}</td>
      <td data-label={p("journal.commission")} className="right num">{formatWon(fill.commission)}</td>
      <td data-label={p("journal.tax")} className="right num">{formatWon(fill.tax)}</td>
      <td data-label={p("journal.realized")} className="right" data-testid="journal-realized">
        <Signed value={fill.realized} />
      </td>
    </tr>
  );
}
