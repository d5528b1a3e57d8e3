import { useT } from "@/lib/i18n";
import { useRealtimeStatus } from "@/lib/realtime";

/** "재연결 중…" while any live stream is down; a small live dot otherwise. */
export function ConnectionBanner() {
  const status = useRealtimeStatus();
  const t = useT();
  if (status === "reconnecting") {
    return (
      <div className="conn conn-reconnecting" role="status" data-testid="ws-status" data-status={status}>
        <span className="spinner" aria-hidden="true" /> {t("ws.reconnecting")}
      </div>
    );
  }
  const label = status === "open" ? t("ws.live") : status === "closed" ? t("ws.closed") : t("ws.connecting");
  return (
    <div className={`conn conn-${status}`} data-testid="ws-status" data-status={status}>
      <span className="dot" aria-hidden="true" /> {label}
    </div>
  );
}
