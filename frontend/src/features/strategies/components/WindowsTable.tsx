import { formatPercent, formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";

import type { WalkForwardWindow } from "../types";

/** A walk-forward run's windows: each one's periods, the last day its model saw, and its test. */
export function WindowsTable({ windows }: { windows: WalkForwardWindow[] }) {
  const t = useT();
  return (
    <div className="table-scroll" style={{ overflowX: "auto" }}>
      <h5>{t("walkForward.windows")}</h5>
      <table className="table" data-testid="walk-forward-windows">
        <thead>
          <tr>
            <th>{t("walkForward.window")}</th>
            <th>{t("walkForward.train")}</th>
            <th>{t("walkForward.validation")}</th>
            <th>{t("walkForward.trainedThrough")}</th>
            <th>{t("walkForward.test")}</th>
            <th className="right">{t("strategy.startEquity")}</th>
            <th className="right">{t("walkForward.endEquity")}</th>
            <th className="right">{t("walkForward.return")}</th>
            <th className="right">{t("strategy.fills")}</th>
          </tr>
        </thead>
        <tbody>
          {windows.map((w) => (
            <tr key={w.index} data-window={w.index}>
              <td>{w.index}</td>
              <td>
                {w.train_start} – {w.train_end}
              </td>
              <td>{w.validation_start ? `${w.validation_start} – ${w.validation_end}` : "-"}</td>
              <td>{w.trained_through}</td>
              <td>
                {w.first_day} – {w.last_day}
              </td>
              <td className="right num">{formatWon(w.start_equity)}</td>
              <td className="right num">{formatWon(w.end_equity)}</td>
              <td className={`right num ${w.return > 0 ? "dir-up" : w.return < 0 ? "dir-down" : "dir-flat"}`}>
                {formatPercent(w.return, { fraction: true })}
              </td>
              <td className="right num">{w.trades}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
