import { useT } from "@/lib/i18n";
import { useToasts } from "@/stores/toasts";

/**
 * The toasts (newest on top, a click dismisses one) and, apart from them, the one polite live
 * region a screen reader hears: written once per burst of updates, so a toast whose figures move
 * ten times in a second is announced once, and a toast's own text changes are never read out as
 * they happen.
 */
export function Toaster() {
  const t = useT();
  const toasts = useToasts((s) => s.toasts);
  const announcement = useToasts((s) => s.announcement);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <>
      <div className="toaster" data-testid="toaster">
        {toasts.map((toast) => (
          <button
            key={toast.id}
            type="button"
            className={`toast toast-${toast.tone}`}
            data-testid="toast"
            data-toast-key={toast.key}
            title={t("common.dismiss")}
            onClick={() => dismiss(toast.id)}
          >
            {toast.text}
          </button>
        ))}
      </div>
      <div className="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="toast-announcer">
        {/* A new node per announcement: the same text twice (two identical notices) is read twice. */}
        {announcement.text && <p key={announcement.seq}>{announcement.text}</p>}
      </div>
    </>
  );
}
