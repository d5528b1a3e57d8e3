import { type ComponentType, lazy, type ReactNode, Suspense } from "react";
import { createBrowserRouter, Link, RouterProvider } from "react-router";

import { AuthForm } from "@/features/auth/components/AuthForm";
import { SettingsPage } from "@/features/settings/components/SettingsForm";
import { useT } from "@/lib/i18n";

import { Layout } from "./Layout";
import { DashboardRoute } from "./routes/Dashboard";
import { WatchRoute } from "./routes/Watch";

/**
 * A page in its own chunk. Once the chunk is there the page renders without suspending: React keeps
 * a Suspense fallback up for at least 300 ms before it reveals what replaced it, which would make
 * an already loaded page wait anyway.
 */
function lazyPage<M>(load: () => Promise<M>, page: (module: M) => ComponentType) {
  let loaded: { default: ComponentType } | undefined;
  const preload = () => load().then((module) => (loaded = { default: page(module) }));
  const Page = lazy(() =>
    loaded
      ? // A thenable that calls back at once: lazy() reads the component during this very render.
        ({ then: (resolve: (module: { default: ComponentType }) => void) => resolve(loaded!) } as Promise<{ default: ComponentType }>)
      : preload(),
  );
  return { Page, preload };
}

// The chart library only loads with the pages that draw charts (the portfolio's equity chart too).
const symbolPage = lazyPage(() => import("./routes/Symbol"), (m) => m.SymbolRoute);
const strategiesPage = lazyPage(() => import("./routes/Strategies"), (m) => m.StrategiesRoute);
const portfolioPage = lazyPage(() => import("./routes/Portfolio"), (m) => m.PortfolioRoute);
const SymbolRoute = symbolPage.Page;
const StrategiesRoute = strategiesPage.Page;
const PortfolioRoute = portfolioPage.Page;

/**
 * The chunk of the page the app was opened on, loading from boot in parallel with GET auth/me
 * (lazy() alone would ask for it only once the signed-in shell renders its outlet); resolved at
 * once for the pages in the main bundle. AppProvider lets the session land together with it.
 */
export const firstPageReady: Promise<unknown> = (() => {
  const path = window.location.pathname;
  if (path.startsWith("/symbols/")) return symbolPage.preload();
  if (path === "/strategies") return strategiesPage.preload();
  if (path === "/portfolio") return portfolioPage.preload();
  return Promise.resolve();
})();

function Loading({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <div className="state state-loading" role="status">
          <span className="spinner" aria-hidden="true" />
        </div>
      }
    >
      {children}
    </Suspense>
  );
}

function NotFound() {
  const t = useT();
  return (
    <div className="page state state-empty">
      <h1>{t("notfound.title")}</h1>
      <Link to="/">{t("nav.dashboard")}</Link>
    </div>
  );
}

export const routes = [
  { path: "/login", element: <AuthForm mode="login" /> },
  { path: "/register", element: <AuthForm mode="register" /> },
  {
    element: <Layout />,
    children: [
      { path: "/", element: <DashboardRoute /> },
      {
        path: "/symbols/:code",
        element: (
          <Loading>
            <SymbolRoute />
          </Loading>
        ),
      },
      {
        path: "/portfolio",
        element: (
          <Loading>
            <PortfolioRoute />
          </Loading>
        ),
      },
      { path: "/watch", element: <WatchRoute /> },
      {
        path: "/strategies",
        element: (
          <Loading>
            <StrategiesRoute />
          </Loading>
        ),
      },
      { path: "/settings", element: <SettingsPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
];

const router = createBrowserRouter(routes);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
