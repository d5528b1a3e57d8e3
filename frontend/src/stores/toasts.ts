import { create } from "zustand";

export type ToastTone = "buy" | "sell" | "info";

export interface Toast {
  id: number;
  /** One notice per key: a push with a key already shown updates that toast in place (a fill's order). */
  key: string;
  text: string;
  tone: ToastTone;
}

export interface ToastInput {
  text: string;
  tone: ToastTone;
  key?: string;
}

/** At most this many on screen (a phone has room for about three above its bottom bars). */
export const MAX_TOASTS = 3;
/** A toast goes this long after its last update. */
export const TOAST_MS = 5_000;
/**
 * The screen reader hears a burst of updates once: the live region is written after this much
 * quiet (a sweep's fills arrive within milliseconds of each other)…
 */
export const ANNOUNCE_QUIET_MS = 400;
/** …or after this long at the latest, while updates keep coming (an order filling trade by trade). */
export const ANNOUNCE_MAX_WAIT_MS = 2_000;

/**
 * The toasts after `incoming` arrives, newest first: a toast with its key changes its text in place
 * (keeping its id and its place), a new key goes on top, and the oldest beyond `max` drop off.
 * `changed` is the id whose text changed (null when the push said nothing new), `dropped` the ids
 * that fell off.
 */
export function coalesceToasts(
  toasts: readonly Toast[],
  incoming: Required<ToastInput>,
  newId: number,
  max = MAX_TOASTS,
): { toasts: Toast[]; changed: number | null; dropped: number[] } {
  const index = toasts.findIndex((toast) => toast.key === incoming.key);
  if (index >= 0) {
    const current = toasts[index];
    if (current.text === incoming.text && current.tone === incoming.tone) return { toasts: [...toasts], changed: null, dropped: [] };
    const next = [...toasts];
    next[index] = { ...current, text: incoming.text, tone: incoming.tone };
    return { toasts: next, changed: current.id, dropped: [] };
  }
  const next = [{ ...incoming, id: newId }, ...toasts];
  return { toasts: next.slice(0, max), changed: newId, dropped: next.slice(max).map((toast) => toast.id) };
}

interface ToastState {
  toasts: Toast[];
  /** What the polite live region says: the toasts updated in the last burst, newest first. */
  announcement: { text: string; seq: number };
  push: (toast: ToastInput) => void;
  dismiss: (id: number) => void;
  /** Drop every toast and pending announcement (tests, logout). */
  clear: () => void;
}

let nextId = 1;
const dismissTimers = new Map<number, ReturnType<typeof setTimeout>>();
/** Ids updated since the last announcement, in the order of their first update. */
let pendingAnnouncement: number[] = [];
let quietTimer: ReturnType<typeof setTimeout> | null = null;
let maxWaitTimer: ReturnType<typeof setTimeout> | null = null;

function clearAnnounceTimers(): void {
  if (quietTimer) clearTimeout(quietTimer);
  if (maxWaitTimer) clearTimeout(maxWaitTimer);
  quietTimer = maxWaitTimer = null;
}

/**
 * Short notices over every page (a fill, a watchlist change): newest on top, at most MAX_TOASTS,
 * each gone TOAST_MS after its last update or on a click. Fills of one order share a key, so an
 * order that sweeps ten levels is one toast whose figures move, not ten.
 */
export const useToasts = create<ToastState>()((set, get) => {
  const announce = () => {
    clearAnnounceTimers();
    const shown = get().toasts;
    const text = shown
      .filter((toast) => pendingAnnouncement.includes(toast.id))
      .map((toast) => toast.text)
      .join("\n");
    pendingAnnouncement = [];
    if (text) set((state) => ({ announcement: { text, seq: state.announcement.seq + 1 } }));
  };
  const scheduleAnnouncement = (id: number) => {
    if (!pendingAnnouncement.includes(id)) pendingAnnouncement.push(id);
    if (quietTimer) clearTimeout(quietTimer);
    quietTimer = setTimeout(announce, ANNOUNCE_QUIET_MS);
    maxWaitTimer ??= setTimeout(announce, ANNOUNCE_MAX_WAIT_MS);
  };
  const forget = (id: number) => {
    const timer = dismissTimers.get(id);
    if (timer) clearTimeout(timer);
    dismissTimers.delete(id);
  };
  return {
    toasts: [],
    announcement: { text: "", seq: 0 },
    push: ({ text, tone, key }) => {
      const id = nextId++;
      const result = coalesceToasts(get().toasts, { text, tone, key: key ?? `toast-${id}` }, id);
      if (result.changed === null) return;
      for (const dropped of result.dropped) forget(dropped);
      set({ toasts: result.toasts });
      forget(result.changed);
      const changed = result.changed;
      dismissTimers.set(
        changed,
        setTimeout(() => get().dismiss(changed), TOAST_MS),
      );
      scheduleAnnouncement(changed);
    },
    dismiss: (id) => {
      forget(id);
      set((state) => ({ toasts: state.toasts.filter((t) => t.id !== id) }));
    },
    clear: () => {
      for (const id of [...dismissTimers.keys()]) forget(id);
      clearAnnounceTimers();
      pendingAnnouncement = [];
      set({ toasts: [], announcement: { text: "", seq: 0 } });
    },
  };
});
