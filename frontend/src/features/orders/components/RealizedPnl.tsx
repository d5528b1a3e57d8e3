import { useMemo, useState } from "react";

import { Signed } from "@/components/Price";
import { QueryState } from "@/components/QueryState";
import { directionClass, formatCompactWon, formatSignedWon, formatWon } from "@/lib/format";
import { useUiStore } from "@/stores/ui";

import { useJournal } from "../api/history";
import { groupByDay, groupByMonth, type JournalDay, type JournalMonth, monthGrid, shiftMonth, totalsOf } from "../journal";
import { dayTitle, monthTitle, usePortfolioText } from "../portfolioText";

const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const;

/**
 * 실현손익 by day (a month's calendar, gains red and losses blue) and by month (a table), from the
 * realised P&L the server booked with each fill (the whole history: the table lists every month).
 * Picking a day shows it in the 매매일지 (`onPickDay`).
 */
export function RealizedPnlCard({ accountId, today, onPickDay }: { accountId: number; today: string; onPickDay: (day: string) => void }) {
  const p = usePortfolioText();
  const journal = useJournal(accountId);
  const [month, setMonth] = useState(today.slice(0, 7));
  const days = useMemo(() => groupByDay(journal.data?.fills ?? []), [journal.data]);
  const months = useMemo(() => groupByMonth(days), [days]);
  return (
    <section className="card realized-card" aria-labelledby="realized-title">
      <div className="card-head">
        <h2 id="realized-title">{p("realized.title")}</h2>
      </div>
      <QueryState query={journal}>
        {() => (
          <>
            <div className="realized-grid">
              <RealizedCalendar days={days} month={month} today={today} onMonth={setMonth} onPickDay={onPickDay} />
              <RealizedMonths months={months} month={month} onMonth={setMonth} />
            </div>
            <p className="muted hint">{p("realized.note")}</p>
            {journal.data?.complete === false && <p className="hint state-error">{p("journal.truncated")}</p>}
          </>
        )}
      </QueryState>
    </section>
  );
}

function RealizedCalendar({
  days,
  month,
  today,
  onMonth,
  onPickDay,
}: {
  days: JournalDay[];
  month: string;
  today: string;
  onMonth: (month: string) => void;
  onPickDay: (day: string) => void;
}) {
  const p = usePortfolioText();
  const language = useUiStore((s) => s.language);
  const byDay = useMemo(() => new Map(days.map((d) => [d.day, d])), [days]);
  const total = totalsOf(days.filter((d) => d.day.startsWith(month)).flatMap((d) => d.entries));
  return (
    <div className="realized-calendar" data-testid="realized-calendar" data-month={month}>
      <div className="calendar-head">
        <button type="button" className="btn btn-small" aria-label={p("realized.prev")} onClick={() => onMonth(shiftMonth(month, -1))}>
          ‹
        </button>
        <h3 className="calendar-title" aria-live="polite">
          {monthTitle(month, language)}
        </h3>
        <button type="button" className="btn btn-small" aria-label={p("realized.next")} onClick={() => onMonth(shiftMonth(month, 1))} disabled={month >= today.slice(0, 7)}>
          ›
        </button>
        {month !== today.slice(0, 7) && (
          <button type="button" className="btn btn-small btn-ghost" onClick={() => onMonth(today.slice(0, 7))}>
            {p("realized.today")}
          </button>
        )}
        <span className="calendar-total">
          <span className="muted">{p("realized.monthTotal")}</span>{" "}
          <strong data-testid="calendar-month-total" data-value={total.realized}>
            <Signed value={total.realized} />
          </strong>
        </span>
      </div>
      <table className="calendar" aria-label={`${monthTitle(month, language)} ${p("realized.calendar")}`}>
        <thead>
          <tr>
            {WEEKDAYS.map((d) => (
              <th key={d} scope="col" className={`weekday-${d}`}>
                {p(`weekday.${d}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {monthGrid(month).map((week, i) => (
            <tr key={i}>
              {week.map((day, j) => {
                if (!day) return <td key={j} className="calendar-blank" />;
                const entry = byDay.get(day);
                const value = entry?.realized;
                const tone = entry ? (value! > 0 ? "gain" : value! < 0 ? "loss" : "even") : "";
                const classes = ["calendar-day", entry ? `has-fills ${tone}` : "", day === today ? "today" : ""].filter(Boolean).join(" ");
                const label = entry
                  ? `${dayTitle(day, language)} ${p("realized.title")} ${formatSignedWon(value)}${language === "ko" ? "원" : ""}, ${p("journal.fills")} ${entry.fills}${p("journal.count")}`
                  : dayTitle(day, language);
                return (
                  <td key={day} className={classes} data-day={day} data-realized={value ?? undefined} data-fills={entry?.fills ?? 0} aria-current={day === today ? "date" : undefined}>
                    {entry ? (
                      <button type="button" className="calendar-cell" aria-label={label} title={`${formatSignedWon(value)} · ${p("realized.showDay")}`} onClick={() => onPickDay(day)}>
                        <span className="calendar-date">{Number(day.slice(8))}</span>
                        <span className={`calendar-amount num ${directionClass(value)}`}>{formatCompactWon(value, { signed: true })}</span>
                      </button>
                    ) : (
                      <span className="calendar-cell" aria-label={label}>
                        <span className="calendar-date">{Number(day.slice(8))}</span>
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RealizedMonths({ months, month, onMonth }: { months: JournalMonth[]; month: string; onMonth: (month: string) => void }) {
  const p = usePortfolioText();
  const language = useUiStore((s) => s.language);
  if (!months.length) return <div className="state state-empty realized-months">{p("realized.none")}</div>;
  const all = months.reduce(
    (sum, m) => ({ buy: sum.buy + m.buyAmount, sell: sum.sell + m.sellAmount, costs: sum.costs + m.commission + m.tax, realized: sum.realized + m.realized, days: sum.days + m.tradingDays }),
    { buy: 0, sell: 0, costs: 0, realized: 0, days: 0 },
  );
  return (
    <div className="realized-months">
      <h3>{p("realized.months")}</h3>
      <table className="table cards month-table" data-testid="realized-months">
        <thead>
          <tr>
            <th>{p("realized.month")}</th>
            <th className="right">{p("journal.buyAmount")}</th>
            <th className="right">{p("journal.sellAmount")}</th>
            <th className="right">{p("journal.costs")}</th>
            <th className="right">{p("realized.title")}</th>
            <th className="right">
              {p("realized.days")} <span className="muted">({p("realized.gainLoss")})</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {months.map((m) => (
            <tr key={m.month} data-month={m.month} data-realized={m.realized} className={`clickable${m.month === month ? " selected" : ""}`} onClick={() => onMonth(m.month)}>
              <td data-label={p("realized.month")}>
                <button type="button" className="link" onClick={() => onMonth(m.month)} aria-pressed={m.month === month}>
                  {monthTitle(m.month, language)}
                </button>
              </td>
              <td data-label={p("journal.buyAmount")} className="right num">{formatWon(m.buyAmount)}</td>
              <td data-label={p("journal.sellAmount")} className="right num">{formatWon(m.sellAmount)}</td>
              <td data-label={p("journal.costs")} className="right num">{formatWon(m.commission + m.tax)}</td>
              <td data-label={p("realized.title")} className="right">
                <Signed value={m.realized} />
              </td>
              <td data-label={`${p("realized.days")} (${p("realized.gainLoss")})`} className="right num">
                <span>
                  {m.tradingDays}{" "}
                  <span className="muted">
                    (<span className="dir-up">{m.gainDays}</span>/<span className="dir-down">{m.lossDays}</span>)
                  </span>
                </span>
              </td>
            </tr>
          ))}
        </tbody>
        {months.length > 1 && (
          <tfoot>
            <tr>
              <td data-label={p("realized.month")}>{p("realized.total")}</td>
              <td data-label={p("journal.buyAmount")} className="right num">{formatWon(all.buy)}</td>
              <td data-label={p("journal.sellAmount")} className="right num">{formatWon(all.sell)}</td>
              <td data-label={p("journal.costs")} className="right num">{formatWon(all.costs)}</td>
              <td data-label={p("realized.title")} className="right" data-testid="realized-total" data-value={all.realized}>
                <Signed value={all.realized} />
              </td>
              <td data-label={`${p("realized.days")} (${p("realized.gainLoss")})`} className="right num">
                {all.days}
              </td>
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
