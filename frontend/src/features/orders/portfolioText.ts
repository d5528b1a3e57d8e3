import { useCallback } from "react";

import { type Language, useUiStore } from "@/stores/ui";

/**
 * The portfolio page's own text (equity chart, 실현손익, 매매일지, 거래내역), Korean by default with the
 * app's English switch; shared words (매수, 매도, 수수료 ...) come from lib/i18n.
 */
const text = {
  "summary.cost": { ko: "매입금액", en: "Cost" },
  "summary.unrealized": { ko: "평가손익", en: "Unrealised P&L" },
  "summary.realized": { ko: "실현손익", en: "Realised P&L" },

  "equity.title": { ko: "자산 추이", en: "Equity over time" },
  "equity.period": { ko: "조회기간", en: "Period" },
  "equity.modeEquity": { ko: "총자산", en: "Equity" },
  "equity.modeReturn": { ko: "수익률", en: "Return" },
  "equity.change": { ko: "기간 손익", en: "P&L over the period" },
  "equity.changeRate": { ko: "기간 수익률", en: "Return over the period" },
  "equity.invested": { ko: "원금", en: "Invested" },
  "equity.now": { ko: "현재 총자산", en: "Equity now" },
  "equity.p1D": { ko: "1일", en: "1D" },
  "equity.p1M": { ko: "1개월", en: "1M" },
  "equity.p3M": { ko: "3개월", en: "3M" },
  "equity.p1A": { ko: "1년", en: "1Y" },
  "equity.pall": { ko: "전체", en: "All" },
  "equity.note": { ko: "입금은 손익에 넣지 않습니다. 마지막 점은 실시간 평가입니다.", en: "Deposits are not gains; the last point is live." },

  "realized.title": { ko: "실현손익", en: "Realised P&L" },
  "realized.calendar": { ko: "일별 실현손익", en: "By day" },
  "realized.months": { ko: "월별 실현손익", en: "By month" },
  "realized.monthTotal": { ko: "월 합계", en: "Month total" },
  "realized.prev": { ko: "이전 달", en: "Previous month" },
  "realized.next": { ko: "다음 달", en: "Next month" },
  "realized.today": { ko: "이번 달", en: "This month" },
  "realized.month": { ko: "월", en: "Month" },
  "realized.days": { ko: "거래일", en: "Days" },
  "realized.gainLoss": { ko: "수익/손실", en: "up/down" },
  "realized.total": { ko: "합계", en: "Total" },
  "realized.note": {
    ko: "수수료·제세금을 뺀 금액이며, 매수 수수료는 매수한 날에 반영합니다.",
    en: "Net of commission and tax; a buy's commission counts on the day it fills.",
  },
  "realized.none": { ko: "실현손익 내역이 없습니다", en: "No realised P&L yet" },
  "realized.showDay": { ko: "이 날의 매매일지 보기", en: "Show this day's journal" },

  "journal.title": { ko: "매매일지", en: "Trade journal" },
  "journal.empty": { ko: "조회기간에 체결이 없습니다", en: "No fills in this period" },
  "journal.fills": { ko: "체결", en: "Fills" },
  "journal.count": { ko: "건", en: "" },
  "journal.time": { ko: "체결시각", en: "Time" },
  "journal.symbol": { ko: "종목", en: "Symbol" },
  "journal.side": { ko: "구분", en: "Side" },
  "journal.price": { ko: "체결가", en: "Price" },
  "journal.quantity": { ko: "수량", en: "Qty" },
  "journal.amount": { ko: "체결금액", en: "Amount" },
  "journal.commission": { ko: "수수료", en: "Commission" },
  "journal.tax": { ko: "제세금", en: "Tax" },
  "journal.net": { ko: "정산금액", en: "Net cash" },
  "journal.realized": { ko: "실현손익", en: "Realised" },
  "journal.buyAmount": { ko: "매수금액", en: "Bought" },
  "journal.sellAmount": { ko: "매도금액", en: "Sold" },
  "journal.costs": { ko: "수수료+제세금", en: "Costs" },
  "journal.truncated": {
    ko: "체결이 너무 많아 최근 100,000건만 합산했습니다.",
    en: "Too many fills: only the latest 100,000 are added up.",
  },

  "range.label": { ko: "조회기간", en: "Period" },
  "range.from": { ko: "시작일", en: "From" },
  "range.to": { ko: "종료일", en: "To" },
  "range.today": { ko: "오늘", en: "Today" },
  "range.1w": { ko: "1주", en: "1W" },
  "range.1m": { ko: "1개월", en: "1M" },
  "range.3m": { ko: "3개월", en: "3M" },

  "csv.export": { ko: "CSV 저장", en: "Export CSV" },
  "csv.exporting": { ko: "저장 중…", en: "Exporting…" },
  "csv.journal": { ko: "매매일지", en: "journal" },
  "csv.activities": { ko: "거래내역", en: "activities" },

  "activities.title": { ko: "거래내역", en: "Account activity" },
  "activities.filter": { ko: "구분", en: "Kind" },
  "activities.all": { ko: "전체", en: "All" },
  "activities.fills": { ko: "체결", en: "Fills" },
  // Not 입금 or 초기화: those name the account's own buttons.
  "activities.cash": { ko: "입출금", en: "Deposits" },
  "activities.costs": { ko: "수수료·세금", en: "Costs" },
  "activities.settlements": { ko: "결제", en: "Settlements" },
  "activities.time": { ko: "일시", en: "Time" },
  "activities.kind": { ko: "구분", en: "Kind" },
  "activities.symbol": { ko: "종목", en: "Symbol" },
  "activities.detail": { ko: "내용", en: "Detail" },
  "activities.amount": { ko: "금액", en: "Amount" },
  "activities.balance": { ko: "잔액", en: "Balance" },
  "activities.more": { ko: "더 보기", en: "Load more" },
  "activities.settles": { ko: "매매분 결제", en: "trades settled" },
  "activities.empty": { ko: "조회기간에 거래내역이 없습니다", en: "No activity in this period" },
  "activity.fill": { ko: "체결", en: "Fill" },
  "activity.deposit": { ko: "입금", en: "Deposit" },
  "activity.reset": { ko: "초기화", en: "Reset" },
  "activity.commission": { ko: "수수료", en: "Commission" },
  "activity.tax": { ko: "제세금", en: "Tax" },
  "activity.settlement": { ko: "결제", en: "Settlement" },

  "weekday.0": { ko: "일", en: "Sun" },
  "weekday.1": { ko: "월", en: "Mon" },
  "weekday.2": { ko: "화", en: "Tue" },
  "weekday.3": { ko: "수", en: "Wed" },
  "weekday.4": { ko: "목", en: "Thu" },
  "weekday.5": { ko: "금", en: "Fri" },
  "weekday.6": { ko: "토", en: "Sat" },
} as const satisfies Record<string, Record<Language, string>>;

export type PortfolioTextKey = keyof typeof text;

export const portfolioText = (language: Language, key: PortfolioTextKey): string => text[key][language];

export function usePortfolioText(): (key: PortfolioTextKey) => string {
  const language = useUiStore((state) => state.language);
  return useCallback((key: PortfolioTextKey) => portfolioText(language, key), [language]);
}

/** 2026년 12월 / December 2026 */
export function monthTitle(month: string, language: Language): string {
  const [y, m] = month.split("-").map(Number);
  if (language === "ko") return `${y}년 ${m}월`;
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
}

/** 12.03 (목) / Thu 12/03 */
export function dayTitle(day: string, language: Language): string {
  const [y, m, d] = day.split("-").map(Number);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay() as 0 | 1 | 2 | 3 | 4 | 5 | 6;
  const name = text[`weekday.${weekday}`][language];
  return language === "ko" ? `${y}.${String(m).padStart(2, "0")}.${String(d).padStart(2, "0")} (${name})` : `${name} ${day}`;
}
