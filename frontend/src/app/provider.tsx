import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";

import { getMe, meQueryOptions } from "@/features/auth/api/auth";
import { ApiError } from "@/lib/api";
import { useUiStore } from "@/stores/ui";

import { firstPageReady } from "./router";

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}

export function AppProvider({ children, client }: { children: ReactNode; client?: QueryClient }) {
  const [queryClient] = useState(() => {
    const created = client ?? makeQueryClient();
    // Every signed-in page waits for GET auth/me (Layout): ask before the first render, and let the
    // answer land with the opened page's chunk, so that page renders at once and not through a
    // Suspense fallback (which React keeps up for at least 300 ms). A failed chunk load is left to
    // the route to report.
    void created.prefetchQuery({
      ...meQueryOptions(),
      queryFn: () => Promise.all([getMe(), firstPageReady.catch(() => undefined)]).then(([me]) => me),
    });
    return created;
  });
  const theme = useUiStore((s) => s.theme);
  const language = useUiStore((s) => s.language);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.lang = language;
  }, [theme, language]);
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
