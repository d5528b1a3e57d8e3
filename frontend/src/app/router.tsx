import { createBrowserRouter, Link, RouterProvider } from "react-router";

import { AuthForm } from "@/features/auth/components/AuthForm";
import { SettingsPage } from "@/features/settings/components/SettingsForm";
import { useT } from "@/lib/i18n";

import { Layout } from "./Layout";
import { DashboardRoute } from "./routes/Dashboard";
import { PortfolioRoute } from "./routes/Portfolio";
import { StrategiesRoute } from "./routes/Strategies";
import { SymbolRoute } from "./routes/Symbol";

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
      { path: "/symbols/:code", element: <SymbolRoute /> },
      { path: "/portfolio", element: <PortfolioRoute /> },
      { path: "/strategies", element: <StrategiesRoute /> },
      { path: "/settings", element: <SettingsPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
];

const router = createBrowserRouter(routes);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
