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
}

/** UI state that outlives a page: language, theme and the selected account. */
export const useUiStore = create<UiState>()(
  persist(
    (set) => ({
      language: "ko",
      theme: "dark",
      accountId: null,
      setLanguage: (language) => set({ language }),
      setTheme: (theme) => set({ theme }),
      setAccountId: (accountId) => set({ accountId }),
    }),
    { name: "papertrade-ui" },
  ),
);
