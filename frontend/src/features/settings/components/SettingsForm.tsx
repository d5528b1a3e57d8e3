import { type FormEvent, useEffect, useState } from "react";

import { FieldError, FormError } from "@/components/FieldError";
import { QueryState } from "@/components/QueryState";
import { useT } from "@/lib/i18n";
import { type Language, type Theme, useUiStore } from "@/stores/ui";
import type { UserSettings } from "@/types/models";

import { useSettings, useUpdateSettings } from "../api/settings";

export function SettingsPage() {
  const t = useT();
  const settings = useSettings();
  return (
    <div className="page narrow">
      <h1>{t("settings.title")}</h1>
      <QueryState query={settings}>{(data) => <SettingsForms settings={data} />}</QueryState>
    </div>
  );
}

function SettingsForms({ settings }: { settings: UserSettings }) {
  const t = useT();
  const update = useUpdateSettings();
  const keys = useUpdateSettings();
  const setLanguage = useUiStore((s) => s.setLanguage);
  const setTheme = useUiStore((s) => s.setTheme);
  const [appKey, setAppKey] = useState("");
  const [appSecret, setAppSecret] = useState("");
  const [saved, setSaved] = useState(false);

  const savePreference = (patch: Parameters<typeof update.mutate>[0]) => {
    if (patch.language) setLanguage(patch.language as Language);
    if (patch.theme) setTheme(patch.theme as Theme);
    update.mutate(patch);
  };

  const onSaveKeys = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    keys.mutate(
      { ...(appKey ? { kis_app_key: appKey } : {}), ...(appSecret ? { kis_app_secret: appSecret } : {}) },
      {
        onSuccess: () => {
          // Write-only: the secret never comes back; clear the inputs, show the mask.
          setAppKey("");
          setAppSecret("");
          setSaved(true);
        },
      },
    );
  };

  return (
    <>
      <section className="card">
        <h2>{t("settings.language")} · {t("settings.theme")}</h2>
        <div className="form-grid">
          <label>
            {t("settings.language")}
            <select name="language" value={settings.language} onChange={(e) => savePreference({ language: e.target.value as Language })}>
              <option value="ko">한국어</option>
              <option value="en">English</option>
            </select>
          </label>
          <label>
            {t("settings.theme")}
            <select name="theme" value={settings.theme} onChange={(e) => savePreference({ theme: e.target.value as Theme })}>
              <option value="dark">{t("settings.dark")}</option>
              <option value="light">{t("settings.light")}</option>
            </select>
          </label>
          <label>
            {t("settings.feed")}
            <select
              name="preferred_feed"
              value={settings.preferred_feed}
              onChange={(e) => savePreference({ preferred_feed: e.target.value as "sim" | "kis" })}
            >
              <option value="sim">{t("settings.feedSim")}</option>
              <option value="kis">{t("settings.feedKis")}</option>
            </select>
            <FieldError error={update.error} name="preferred_feed" />
          </label>
          <label>
            {t("settings.kisEnv")}
            <select
              name="kis_environment"
              value={settings.kis_environment}
              onChange={(e) => savePreference({ kis_environment: e.target.value as "paper" | "real" })}
            >
              <option value="paper">{t("settings.paper")}</option>
              <option value="real">{t("settings.real")}</option>
            </select>
          </label>
        </div>
        <FormError error={update.error} fields={["preferred_feed"]} />
      </section>
      <form className="card" onSubmit={onSaveKeys} aria-label={t("settings.kis")}>
        <h2>{t("settings.kis")}</h2>
        <p className="muted">{t("settings.writeOnly")}</p>
        <p data-testid="kis-key-status">
          {t("settings.savedKey")}: <code>{settings.kis_app_key ?? t("settings.noKey")}</code>
        </p>
        <div className="form-grid">
          <label>
            {t("settings.appKey")}
            <input name="kis_app_key" autoComplete="off" value={appKey} onChange={(e) => setAppKey(e.target.value)} />
            <FieldError error={keys.error} name="kis_app_key" />
          </label>
          <label>
            {t("settings.appSecret")}
            <input name="kis_app_secret" type="password" autoComplete="new-password" value={appSecret} onChange={(e) => setAppSecret(e.target.value)} />
            <FieldError error={keys.error} name="kis_app_secret" />
          </label>
        </div>
        <FormError error={keys.error} fields={["kis_app_key", "kis_app_secret"]} />
        {saved && <div className="form-ok" role="status">{t("common.saved")}</div>}
        <button type="submit" className="btn btn-primary" disabled={keys.isPending || (!appKey && !appSecret)}>
          {t("common.save")}
        </button>
      </form>
    </>
  );
}

/** Apply the server-side language/theme once after login (the UI store keeps them after that). */
export function useSyncPreferences(enabled: boolean) {
  const settings = useSettings();
  const setLanguage = useUiStore((s) => s.setLanguage);
  const setTheme = useUiStore((s) => s.setTheme);
  const [applied, setApplied] = useState(false);
  useEffect(() => {
    if (!enabled || applied || !settings.data) return;
    if (settings.data.language) setLanguage(settings.data.language);
    if (settings.data.theme) setTheme(settings.data.theme);
    setApplied(true);
  }, [enabled, applied, settings.data, setLanguage, setTheme]);
}
