import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ANNOUNCE_MAX_WAIT_MS, ANNOUNCE_QUIET_MS, coalesceToasts, MAX_TOASTS, type Toast, TOAST_MS, useToasts } from "./toasts";

const toast = (id: number, key: string, text = key): Toast => ({ id, key, text, tone: "buy" });

describe("coalesceToasts", () => {
  it("puts a new key on top and drops the oldest beyond the limit", () => {
    let shown: Toast[] = [];
    const dropped: number[] = [];
    for (let id = 1; id <= MAX_TOASTS + 2; id += 1) {
      const result = coalesceToasts(shown, { key: `k${id}`, text: `t${id}`, tone: "info" }, id);
      expect(result.changed).toBe(id);
      dropped.push(...result.dropped);
      shown = result.toasts;
    }
    expect(shown.map((t) => t.id)).toEqual([5, 4, 3]);
    expect(dropped).toEqual([1, 2]);
  });

  it("updates a toast with the same key in place: its id, its place, its new text", () => {
    const shown = [toast(3, "c"), toast(2, "b"), toast(1, "a")];
    const result = coalesceToasts(shown, { key: "b", text: "b again", tone: "sell" }, 99);
    expect(result.changed).toBe(2);
    expect(result.dropped).toEqual([]);
    expect(result.toasts).toEqual([toast(3, "c"), { id: 2, key: "b", text: "b again", tone: "sell" }, toast(1, "a")]);
  });

  it("says nothing changed when the text is the same", () => {
    const shown = [toast(1, "a", "same")];
    expect(coalesceToasts(shown, { key: "a", text: "same", tone: "buy" }, 2).changed).toBeNull();
  });
});

describe("useToasts", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useToasts.getState().clear();
  });
  afterEach(() => {
    useToasts.getState().clear();
    vi.useRealTimers();
  });

  it("keeps one toast per key, dismissed TOAST_MS after its last update", () => {
    const { push } = useToasts.getState();
    push({ key: "fill-1", text: "10주", tone: "buy" });
    vi.advanceTimersByTime(TOAST_MS - 1_000);
    push({ key: "fill-1", text: "20주", tone: "buy" });
    expect(useToasts.getState().toasts.map((t) => t.text)).toEqual(["20주"]);
    vi.advanceTimersByTime(TOAST_MS - 1);
    expect(useToasts.getState().toasts).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(useToasts.getState().toasts).toEqual([]);
  });

  it("a toast dropped by newer ones does not take a later one with it", () => {
    const { push } = useToasts.getState();
    for (let n = 1; n <= MAX_TOASTS + 1; n += 1) push({ text: `notice ${n}`, tone: "info" });
    expect(useToasts.getState().toasts.map((t) => t.text)).toEqual(["notice 4", "notice 3", "notice 2"]);
    vi.advanceTimersByTime(TOAST_MS);
    expect(useToasts.getState().toasts).toEqual([]);
  });

  it("announces a burst of updates once, with the final text", () => {
    const { push } = useToasts.getState();
    for (let filled = 10; filled <= 100; filled += 10) {
      push({ key: "fill-7", text: `삼성전자 매수 체결 ${filled}주`, tone: "buy" });
      vi.advanceTimersByTime(5);
    }
    expect(useToasts.getState().announcement.seq).toBe(0);
    vi.advanceTimersByTime(ANNOUNCE_QUIET_MS);
    expect(useToasts.getState().announcement).toEqual({ text: "삼성전자 매수 체결 100주", seq: 1 });
    // Nothing new, nothing said.
    push({ key: "fill-7", text: "삼성전자 매수 체결 100주", tone: "buy" });
    vi.advanceTimersByTime(ANNOUNCE_MAX_WAIT_MS);
    expect(useToasts.getState().announcement.seq).toBe(1);
  });

  it("two orders filling together are one announcement, newest first", () => {
    const { push } = useToasts.getState();
    push({ key: "fill-1", text: "A 10주", tone: "buy" });
    push({ key: "fill-2", text: "B 5주", tone: "sell" });
    push({ key: "fill-1", text: "A 20주", tone: "buy" });
    vi.advanceTimersByTime(ANNOUNCE_QUIET_MS);
    expect(useToasts.getState().announcement).toEqual({ text: "B 5주\nA 20주", seq: 1 });
  });

  it("updates that never pause are still announced every ANNOUNCE_MAX_WAIT_MS", () => {
    const { push } = useToasts.getState();
    let filled = 0;
    const seqs: number[] = [];
    for (let step = 0; step < 40; step += 1) {
      filled += 1;
      push({ key: "fill-3", text: `${filled}주`, tone: "buy" });
      vi.advanceTimersByTime(ANNOUNCE_QUIET_MS / 2);
      seqs.push(useToasts.getState().announcement.seq);
    }
    // 40 updates over 8 s: four announcements, not forty.
    expect(Math.max(...seqs)).toBe(Math.floor((40 * ANNOUNCE_QUIET_MS) / 2 / ANNOUNCE_MAX_WAIT_MS));
  });

  it("a toast dismissed before its announcement is not announced", () => {
    const { push } = useToasts.getState();
    push({ key: "x", text: "gone", tone: "info" });
    useToasts.getState().dismiss(useToasts.getState().toasts[0].id);
    vi.advanceTimersByTime(ANNOUNCE_MAX_WAIT_MS);
    expect(useToasts.getState().announcement.seq).toBe(0);
  });
});
