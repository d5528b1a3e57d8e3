import { type DayRange, ordered, QUICK_RANGES, quickRange, quickRangeOf } from "../journal";
import { usePortfolioText } from "../portfolioText";

/** 조회기간: 오늘 / 1주 / 1개월 / 3개월, or two dates (entered the wrong way round, they are swapped). */
export function DateRangeFilter({ range, today, onChange, name }: { range: DayRange; today: string; onChange: (range: DayRange) => void; name: string }) {
  const p = usePortfolioText();
  const quick = quickRangeOf(range, today);
  const set = (next: Partial<DayRange>) => {
    const merged = { ...range, ...next };
    if (merged.from && merged.to) onChange(ordered(merged));
  };
  return (
    <div className="date-range" role="group" aria-label={`${name} ${p("range.label")}`}>
      <div className="segmented" role="group" aria-label={p("range.label")}>
        {QUICK_RANGES.map((kind) => (
          <button key={kind} type="button" className={quick === kind ? "active" : ""} aria-pressed={quick === kind} onClick={() => onChange(quickRange(kind, today))}>
            {p(`range.${kind}`)}
          </button>
        ))}
      </div>
      <div className="date-inputs">
        <input type="date" aria-label={`${name} ${p("range.from")}`} value={range.from} max={today} onChange={(e) => set({ from: e.target.value })} />
        <span className="muted" aria-hidden="true">
          ~
        </span>
        <input type="date" aria-label={`${name} ${p("range.to")}`} value={range.to} max={today} onChange={(e) => set({ to: e.target.value })} />
      </div>
    </div>
  );
}
