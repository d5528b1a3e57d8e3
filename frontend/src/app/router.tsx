import { lazy, type ReactNode, Suspense } from "react";
import { createBrowserRouter, Link, RouterProvider } from "react-router";

import { AuthForm } from "@/features/auth/components/AuthForm";
import { SettingsPage } from "@/features/settings/components/SettingsForm";
import { useT } from "@/lib/i18n";

import { Layout } from "./Layout";
import { DashboardRoute } from "./routes/Dashboard";
import { PortfolioRoute } from "./routes/Portfolio";
import { WatchRoute } from "./routes/Watch";

// The chart library only loads with the pages that draw charts.
const SymbolRoute = lazy(() => import("./routes/Symbol").then((m) => ({ default: m.SymbolRoute })));
const StrategiesRoute = lazy(() => import("./routes/Strategies").then((m) => ({ default: m.StrategiesRoute })));

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
      { path: "/portfolio", element: <PortfolioRoute /> },
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
