import { create } from "zustand";
import { persist } from "zustand/middleware";

export type Language = "ko" | "en";
export type Theme = "light" | "dark";

interface UiState {
  language: Language;
  theme: Theme;
  accountId: number | null;
  setLanguage: (language: Language) => void;
  setTheme: (theme: Theme) => void;
  setAccountId: (id: number | null) => void;
  /** Codes of the symbols last opened, newest first (the phone's 차트/주문 tabs open the first). */
  recentSymbols: string[];
  visitSymbol: (code: string) => void;
}

export const RECENT_SYMBOLS = 10;

/** UI state that outlives a page: language, theme, the selected account and the recent symbols. */
export const useUiStore = create<UiState>()(
  persist(
    (set) => ({
      language: "ko",
      theme: "dark",
      accountId: null,
      setLanguage: (language) => set({ language }),
      setTheme: (theme) => set({ theme }),
      setAccountId: (accountId) => set({ accountId }),
      recentSymbols: [],
      visitSymbol: (code) =>
        set((state) => ({ recentSymbols: [code, ...state.recentSymbols.filter((c) => c !== code)].slice(0, RECENT_SYMBOLS) })),
    }),
    { name: "papertrade-ui" },
  ),
);
