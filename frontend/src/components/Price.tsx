import { directionClass, formatPercent, formatSignedWon, formatWon } from "@/lib/format";

/** A price painted by its direction against the previous close (rising red, falling blue). */
export function Price({ value, change, className = "" }: { value: number | null | undefined; change?: number | string | null; className?: string }) {
  return <span className={`num ${directionClass(change)} ${className}`.trim()}>{formatWon(value)}</span>;
}

export function Change({ change, rate }: { change: number | null | undefined; rate?: number | string | null }) {
  const arrow = change && change > 0 ? "▲" : change && change < 0 ? "▼" : "";
  return (
    <span className={`num ${directionClass(change)}`}>
      {arrow} {formatSignedWon(change)}
      {rate !== undefined ? ` (${formatPercent(rate)})` : ""}
    </span>
  );
}

export function Signed({ value, percent, fraction }: { value: number | string | null | undefined; percent?: boolean; fraction?: boolean }) {
  return (
    <span className={`num ${directionClass(value)}`}>{percent ? formatPercent(value, { fraction }) : formatSignedWon(value)}</span>
  );
}
