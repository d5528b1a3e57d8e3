import { useEffect } from "react";
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from "react-router";

import { ConnectionBanner } from "@/components/ConnectionBanner";
import { useLogout, useMe } from "@/features/auth/api/auth";
import { useOrderStream } from "@/features/orders/hooks/useOrderStream";
import { useUpdateSettings } from "@/features/settings/api/settings";
import { useSyncPreferences } from "@/features/settings/components/SettingsForm";
import { useT } from "@/lib/i18n";
import { startRealtime, stopRealtime } from "@/lib/realtime";
import { useUiStore } from "@/stores/ui";

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
        <NavLink to="/" end>
          {t("nav.dashboard")}
        </NavLink>
        <NavLink to="/portfolio">{t("nav.portfolio")}</NavLink>
        <NavLink to="/strategies">{t("nav.strategies")}</NavLink>
        <NavLink to="/settings">{t("nav.settings")}</NavLink>
        <span className="spacer" />
        <ConnectionBanner />
        <button type="button" className="btn btn-small btn-ghost" onClick={switchLanguage}>
          {language === "ko" ? "EN" : "한국어"}
        </button>
        <span className="muted">{username}</span>
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
    </div>
  );
}
