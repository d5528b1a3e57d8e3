import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { coalesced } from "./useOrderStream";

describe("coalesced", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs once for a burst of calls, after the delay from the first", () => {
    const run = vi.fn();
    const refresh = coalesced(run, 50);
    refresh.call();
    vi.advanceTimersByTime(30);
    refresh.call();
    refresh.call();
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(20);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("runs again for the next burst, and not at all once cancelled", () => {
    const run = vi.fn();
    const refresh = coalesced(run, 50);
    refresh.call();
    vi.advanceTimersByTime(50);
    refresh.call();
    vi.advanceTimersByTime(50);
    expect(run).toHaveBeenCalledTimes(2);
    refresh.call();
    refresh.cancel();
    vi.advanceTimersByTime(100);
    expect(run).toHaveBeenCalledTimes(2);
  });
});
