/** Korean market conventions: won with thousands separators, rising red / falling blue, Asia/Seoul. */

export const SEOUL = "Asia/Seoul";
const wonFormat = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 0 });
const numberFormat = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 2 });

export function toNumber(value: number | string | null | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** 71,500 — integer won with separators ("-" for unknown). */
export function formatWon(value: number | string | null | undefined): string {
  const n = toNumber(value);
  return n === null ? "-" : wonFormat.format(Math.round(n));
}

/** 71,500원 */
export function formatWonUnit(value: number | string | null | undefined, lang: "ko" | "en" = "ko"): string {
  const text = formatWon(value);
  if (text === "-") return text;
  return lang === "ko" ? `${text}원` : `₩${text}`;
}

export function formatNumber(value: number | string | null | undefined): string {
  const n = toNumber(value);
  return n === null ? "-" : numberFormat.format(n);
}

/** +1,500 / -300 */
export function formatSignedWon(value: number | string | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return "-";
  return `${n > 0 ? "+" : ""}${wonFormat.format(Math.round(n))}`;
}

/**
 * Rates arrive either as fractions (0.0123 = 1.23%) or as percents, depending on the field; the
 * caller says which. Shown with a sign: +1.23%.
 */
export function formatPercent(value: number | string | null | undefined, { fraction = false } = {}): string {
  const n = toNumber(value);
  if (n === null) return "-";
  const pct = fraction ? n * 100 : n;
  const text = pct.toFixed(2);
  if (Number(text) === 0) return "0.00%";
  return `${pct > 0 ? "+" : ""}${text}%`;
}

export type Direction = "up" | "down" | "flat";

export function direction(value: number | string | null | undefined): Direction {
  const n = toNumber(value);
  if (n === null || n === 0) return "flat";
  return n > 0 ? "up" : "down";
}

/** The CSS class that paints rising red and falling blue. */
export function directionClass(value: number | string | null | undefined): string {
  return `dir-${direction(value)}`;
}

// hourCycle h23, not hour12: false, which ICU reads as h24 for ko-KR and writes midnight as 24:00:05.
const timeFormat = new Intl.DateTimeFormat("ko-KR", {
  timeZone: SEOUL,
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});
const dateTimeFormat = new Intl.DateTimeFormat("ko-KR", {
  timeZone: SEOUL,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/** 14:03:27 in Seoul, whatever the browser's zone. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "-";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "-" : timeFormat.format(date);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "-";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "-" : dateTimeFormat.format(date);
}

/** The Seoul calendar day of an instant, as YYYY-MM-DD (the key daily candles use). */
export function seoulDay(iso: string | Date): string {
  const date = typeof iso === "string" ? new Date(iso) : iso;
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: SEOUL, year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(date)
    .reduce<Record<string, string>>((acc, part) => ({ ...acc, [part.type]: part.value }), {});
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/**
 * An amount as Korean readers say it: 1조 2,345억, 3,210억, 4,567만, 8,900원. Rounded down to the
 * unit shown (an amount is never shown larger than it is).
 */
export function formatKoreanAmount(value: number | string | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return "-";
  const sign = n < 0 ? "-" : "";
  const abs = Math.abs(n);
  const JO = 1e12;
  const EOK = 1e8;
  const MAN = 1e4;
  if (abs >= JO) {
    const jo = Math.floor(abs / JO);
    const eok = Math.floor((abs % JO) / EOK);
    return `${sign}${wonFormat.format(jo)}조${eok ? ` ${wonFormat.format(eok)}억` : ""}`;
  }
  if (abs >= EOK) return `${sign}${wonFormat.format(Math.floor(abs / EOK))}억`;
  if (abs >= MAN) return `${sign}${wonFormat.format(Math.floor(abs / MAN))}만`;
  return `${sign}${wonFormat.format(Math.floor(abs))}원`;
}

const seoulPartsFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: SEOUL,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/** 2026-12-03 14:03:27 in Seoul: the form a spreadsheet reads as a date and a time ("" for none). */
export function seoulDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const parts = Object.fromEntries(seoulPartsFormat.formatToParts(date).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

const oneDecimal = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 1 });

/**
 * An amount short enough for a calendar cell: 8,900 / 12.3만 / 1,234만 / 12.3억 / 1,234억 / 1.2조,
 * cut toward zero like formatKoreanAmount (never shown larger than it is); `signed` adds "+" to gains.
 */
export function formatCompactWon(value: number | string | null | undefined, { signed = false } = {}): string {
  const n = toNumber(value);
  if (n === null) return "-";
  const abs = Math.abs(n);
  const sign = n < 0 ? "-" : signed && n > 0 ? "+" : "";
  let text: string;
  if (abs < 1e4) text = wonFormat.format(Math.floor(abs));
  else if (abs < 1e6) text = `${oneDecimal.format(Math.floor(abs / 1e3) / 10)}만`;
  else if (abs < 1e8) text = `${wonFormat.format(Math.floor(abs / 1e4))}만`;
  else if (abs < 1e10) text = `${oneDecimal.format(Math.floor(abs / 1e7) / 10)}억`;
  else if (abs < 1e12) text = `${wonFormat.format(Math.floor(abs / 1e8))}억`;
  else text = `${oneDecimal.format(Math.floor(abs / 1e11) / 10)}조`;
  return `${sign}${text}`;
}
