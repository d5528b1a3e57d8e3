/**
 * CSV files of the journal and the activities, as Korean Excel opens them: UTF-8 with a BOM (without
 * it Excel reads the bytes as CP949 and the Hangul is garbled), CRLF line ends, RFC 4180 quoting,
 * Korean headers, plain integers for amounts (no separators, so they stay numbers).
 */
import { formatTime, seoulDateTime } from "@/lib/format";

import type { Activity, ActivityType } from "./api/history";
import type { DayRange, JournalFill } from "./journal";

export const BOM = "\uFEFF";

type Cell = string | number | null | undefined;

/**
 * One field. Text that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
 * apostrophe (OWASP "CSV injection"); numbers are written as they are, negatives included.
 */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "number" ? String(value) : value;
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The whole file's text: BOM, the header line, one line per row, each ended by CRLF. */
export const csvText = (headers: readonly string[], rows: readonly Cell[][]): string =>
  BOM + [headers, ...rows].map((row) => row.map(csvCell).join(",") + "\r\n").join("");

const SIDE = { buy: "매수", sell: "매도" } as const;
const sideText = (side: string | null | undefined) => (side === "buy" || side === "sell" ? SIDE[side] : "");

export const JOURNAL_HEADERS = [
  "체결일자",
  "체결시각",
  "종목코드",
  "종목명",
  "매매구분",
  "체결단가",
  "체결수량",
  "체결금액",
  "수수료",
  "제세금",
  "정산금액",
  "실현손익",
  "주문번호",
  "체결번호",
] as const;

/** The journal's fills as its table lists them (newest first). */
export const journalCsv = (fills: readonly JournalFill[]): string =>
  csvText(
    JOURNAL_HEADERS,
    fills.map((f) => [
      f.day,
      formatTime(f.time),
      f.symbol,
      f.symbolName,
      SIDE[f.side],
      f.price,
      f.quantity,
      f.amount,
      f.commission,
      f.tax,
      f.net,
      f.realized,
      f.order,
      f.trade,
    ]),
  );

export const ACTIVITY_LABELS: Record<ActivityType, string> = {
  fill: "체결",
  deposit: "입금",
  reset: "초기화",
  commission: "수수료",
  tax: "제세금",
  settlement: "결제",
};

/** The server's notes are English words for the ledger; the file says them in Korean. */
export const NOTES_KO: Record<string, string> = { "Opening balance": "계좌 개설", Deposit: "입금", Reset: "초기화" };

export const ACTIVITY_HEADERS = [
  "일시",
  "구분",
  "종목코드",
  "종목명",
  "매매구분",
  "수량",
  "단가",
  "금액",
  "잔액",
  "매매일",
  "결제일",
  "비고",
] as const;

export const activitiesCsv = (activities: readonly Activity[]): string =>
  csvText(
    ACTIVITY_HEADERS,
    activities.map((a) => [
      seoulDateTime(a.time),
      ACTIVITY_LABELS[a.type] ?? a.type,
      a.symbol,
      a.symbol_name,
      sideText(a.side),
      a.quantity,
      a.price,
      a.amount,
      a.balance_after,
      a.trade_date,
      a.settlement_date,
      NOTES_KO[a.note] ?? a.note,
    ]),
  );

/** 매매일지_기본 계좌_20261126-20261203.csv: what, which account, which days; no characters a file system refuses. */
export function csvFilename(what: string, account: string, range: DayRange): string {
  const days = `${range.from.replace(/-/g, "")}-${range.to.replace(/-/g, "")}`;
  return `${what}_${account}_${days}.csv`.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_");
}

export const csvBlob = (text: string): Blob => new Blob([text], { type: "text/csv;charset=utf-8" });
