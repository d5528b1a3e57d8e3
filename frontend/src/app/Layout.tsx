import { useEffect } from "react";
import { Link, Navigate, NavLink, Outlet, useLocation, useNavigate } from "react-router";

import { ConnectionBanner } from "@/components/ConnectionBanner";
import { Toaster } from "@/components/Toaster";
import { useLogout, useMe } from "@/features/auth/api/auth";
import { IndexHeader } from "@/features/market/components/IndexHeader";
import { useOrderStream } from "@/features/orders/hooks/useOrderStream";
import { useUpdateSettings } from "@/features/settings/api/settings";
import { useSyncPreferences } from "@/features/settings/components/SettingsForm";
import { useT } from "@/lib/i18n";
import { startRealtime, stopRealtime } from "@/lib/realtime";
import { useUiStore } from "@/stores/ui";

/** Where the phone's chart and order tabs go before any symbol was opened. */
const DEFAULT_SYMBOL = "005930";

/** Signed-in shell: navigation, the live-connection indicator, and the page. */
export function Layout() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) {
    return (
      <div className="state state-loading boot" role="status">
        <span className="spinner" aria-hidden="true" />
      </div>
    );
  }
  if (me.isError) {
    return (
      <div className="state state-error boot" role="alert">
        {String((me.error as Error).message)}{" "}
        <button type="button" className="btn btn-small" onClick={() => me.refetch()}>
          ↻
        </button>
      </div>
    );
  }
  if (!me.data) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <SignedIn username={me.data.username} />;
}

function SignedIn({ username }: { username: string }) {
  const t = useT();
  const navigate = useNavigate();
  const logout = useLogout();
  const language = useUiStore((s) => s.language);
  const setLanguage = useUiStore((s) => s.setLanguage);
  const saveSettings = useUpdateSettings();
  const switchLanguage = () => {
    const next = language === "ko" ? "en" : "ko";
    setLanguage(next);
    saveSettings.mutate({ language: next }); // remembered for the next login too
  };
  useEffect(() => {
    startRealtime();
    return () => stopRealtime();
  }, []);
  useOrderStream();
  useSyncPreferences(true);
  return (
    <div className="shell">
      <nav className="topbar">
        <NavLink to="/" className="brand" end>
          {t("app.name")}
        </NavLink>
        <NavLink to="/" end className="wide-only">
          {t("nav.dashboard")}
        </NavLink>
        <NavLink to="/watch" className="wide-only">
          {t("nav.watch")}
        </NavLink>
        <NavLink to="/portfolio" className="wide-only">
          {t("nav.portfolio")}
        </NavLink>
        <NavLink to="/strategies">{t("nav.strategies")}</NavLink>
        <NavLink to="/settings">{t("nav.settings")}</NavLink>
        <IndexHeader variant="bar" />
        <span className="spacer" />
        <ConnectionBanner />
        <button type="button" className="btn btn-small btn-ghost" onClick={switchLanguage}>
          {language === "ko" ? "EN" : "한국어"}
        </button>
        <span className="muted wide-only">{username}</span>
        <button
          type="button"
          className="btn btn-small btn-ghost"
          onClick={() => logout.mutate(undefined, { onSettled: () => navigate("/login", { replace: true }) })}
        >
          {t("nav.logout")}
        </button>
      </nav>
      <main className="main">
        <Outlet />
      </main>
      <BottomTabs />
      <Toaster />
    </div>
  );
}

/**
 * The phone's main navigation (shown below 768 px; the top bar keeps the rest). 차트/호가 and 주문
 * open the symbol last viewed, on that screen.
 */
function BottomTabs() {
  const t = useT();
  const recent = useUiStore((s) => s.recentSymbols[0] ?? DEFAULT_SYMBOL);
  const location = useLocation();
  const onSymbol = location.pathname.startsWith("/symbols/");
  const view = new URLSearchParams(location.search).get("view");
  const tabs = [
    { to: "/", label: t("nav.home"), icon: "⌂", active: location.pathname === "/" },
    { to: "/watch", label: t("nav.watch"), icon: "♡", active: location.pathname === "/watch" },
    { to: `/symbols/${recent}?view=chart`, label: t("nav.chart"), icon: "▥", active: onSymbol && view !== "order" },
    { to: `/symbols/${recent}?view=order`, label: t("nav.order"), icon: "⇅", active: onSymbol && view === "order" },
    { to: "/portfolio", label: t("nav.account"), icon: "◔", active: location.pathname === "/portfolio" },
  ];
  return (
    <nav className="bottom-tabs" aria-label={t("nav.tabs")}>
      {tabs.map((tab) => (
        <Link key={tab.label} to={tab.to} className={tab.active ? "active" : ""} aria-current={tab.active ? "page" : undefined}>
          <span aria-hidden="true">{tab.icon}</span>
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
