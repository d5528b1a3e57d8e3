import { formatNumber, formatPercent } from "@/lib/format";
import { type MessageKey, useT } from "@/lib/i18n";
import type { Metrics } from "@/types/models";

const ROWS: { key: keyof Metrics; percent: boolean }[] = [
  { key: "cumulative_return", percent: true },
  { key: "annual_return", percent: true },
  { key: "annual_volatility", percent: true },
  { key: "sharpe", percent: false },
  { key: "sortino", percent: false },
  { key: "max_drawdown", percent: true },
  { key: "calmar", percent: false },
  { key: "turnover", percent: false },
  { key: "win_rate", percent: true },
];

type M = Partial<Metrics> | null | undefined;

/** Strategy vs benchmark vs baseline; return-like metrics are fractions (0.12 = 12%). */
export function MetricsTable({ metrics, benchmark, baseline }: { metrics: M; benchmark?: M; baseline?: M }) {
  const t = useT();
  const cell = (source: M, key: keyof Metrics, percent: boolean) => {
    const value = source?.[key];
    if (value === null || value === undefined) return "-";
    return percent ? formatPercent(value, { fraction: true }) : formatNumber(value);
  };
  return (
    <table className="table metrics" data-testid="metrics">
      <thead>
        <tr>
          <th />
          <th className="right">{t("strategy.equity")}</th>
          {benchmark !== undefined && <th className="right">{t("strategy.benchmark")}</th>}
          {baseline !== undefined && <th className="right">{t("strategy.baseline")}</th>}
        </tr>
      </thead>
      <tbody>
        {ROWS.map(({ key, percent }) => (
          <tr key={key} data-metric={key}>
            <th>{t(`metric.${key}` as MessageKey)}</th>
            <td className="right num">{cell(metrics, key, percent)}</td>
            {benchmark !== undefined && <td className="right num">{cell(benchmark, key, percent)}</td>}
            {baseline !== undefined && <td className="right num">{cell(baseline, key, percent)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
