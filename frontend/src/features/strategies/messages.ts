import { useCallback } from "react";

import { type Language, useUiStore } from "@/stores/ui";

/**
 * UI text of the walk-forward and track-record views, Korean by default with the English switch, like
 * src/lib/i18n.ts (kept here until they move there with the rest of the strategy keys).
 */
const messages = {
  walkForward: { ko: "워크포워드", en: "Walk-forward" },
  walkForwardMonths: { ko: "재학습 간격 (개월, 선택)", en: "Retrain every (months, optional)" },
  walkForwardHint: {
    ko: "N개월마다 다시 학습하고 다음 N개월을 테스트해 구간들을 하나의 자산곡선으로 잇습니다.",
    en: "Retrain every N months, test on the next N, stitch the tests into one equity curve.",
  },
  walkForwardTraining: { ko: "학습 창", en: "Training window" },
  rolling: { ko: "이동 창 (같은 길이)", en: "Rolling (same length)" },
  expanding: { ko: "확장 창 (시작일 고정)", en: "Expanding (fixed start)" },
  windows: { ko: "구간별 결과", en: "Windows" },
  window: { ko: "구간", en: "Window" },
  trainPeriod: { ko: "학습", en: "Training" },
  validationPeriod: { ko: "검증", en: "Validation" },
  testPeriod: { ko: "테스트", en: "Test" },
  trainedThrough: { ko: "학습 데이터 끝", en: "Data seen until" },
  startEquity: { ko: "시작 자산", en: "Start equity" },
  endEquity: { ko: "종료 자산", en: "End equity" },
  windowReturn: { ko: "수익률", en: "Return" },
  trades: { ko: "체결", en: "Fills" },
  stitched: { ko: "이어 붙인 테스트 구간의 자산곡선", en: "Stitched equity curve of the test windows" },
  track: { ko: "배포 성과", en: "Live track record" },
  trackHint: {
    ko: "배포 후 거래일마다 모의투자 계좌의 자산과 같은 모델·같은 기간의 백테스트를 나란히 보여 줍니다.",
    en: "Per trading day since deployment: the paper account beside a backtest of the same model over the same days.",
  },
  date: { ko: "날짜", en: "Date" },
  live: { ko: "실계좌", en: "Live" },
  backtest: { ko: "백테스트", en: "Backtest" },
  liveEquity: { ko: "계좌 자산", en: "Account equity" },
  liveReturn: { ko: "계좌 수익률", en: "Live return" },
  liveOrders: { ko: "주문", en: "Orders" },
  backtestEquity: { ko: "백테스트 자산", en: "Backtest equity" },
  backtestReturn: { ko: "백테스트 수익률", en: "Backtest return" },
  difference: { ko: "차이", en: "Difference" },
  since: { ko: "배포 시작", en: "Deployed" },
  noDays: { ko: "아직 배포 후 거래일이 없습니다.", en: "No trading day since deployment yet." },
  backtestThrough: { ko: "백테스트는 {date} 종가까지", en: "Backtest through the close of {date}" },
  backtestPending: { ko: "백테스트는 배포가 처음 주문한 뒤에 계산됩니다.", en: "The backtest is computed once the deployment has acted." },
} as const satisfies Record<string, Record<Language, string>>;

export type StrategyMessageKey = keyof typeof messages;

export function useStrategyText(): (key: StrategyMessageKey, values?: Record<string, string>) => string {
  const language = useUiStore((state) => state.language);
  return useCallback(
    (key: StrategyMessageKey, values?: Record<string, string>) =>
      Object.entries(values ?? {}).reduce((text, [name, value]) => text.replace(`{${name}}`, value), messages[key][language] as string),
    [language],
  );
}
