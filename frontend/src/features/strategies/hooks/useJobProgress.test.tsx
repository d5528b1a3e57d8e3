import { act, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ProgressBar } from "@/components/ProgressBar";
import { useSocketStatuses } from "@/lib/realtime";
import { fakeBackend, renderWithProviders } from "@/test/render";

import { useJobProgress } from "./useJobProgress";

function JobBar({ id }: { id: number }) {
  const job = useJobProgress(id);
  return job.data ? <ProgressBar value={job.data.progress} status={job.data.status} /> : null;
}

describe("useJobProgress without the /ws/jobs stream", () => {
  let progress: number[];

  beforeEach(() => {
    progress = [10, 40, 100];
    const backend = fakeBackend({
      "GET /api/v1/jobs/5": () => {
        const value = progress.length > 1 ? (progress.shift() as number) : progress[0];
        return {
          body: {
            id: 5,
            kind: "strategies.train",
            status: value === 100 ? "succeeded" : "running",
            progress: value,
            message: "",
            created_at: "2026-11-25T10:00:00+09:00",
          },
        };
      },
    });
    vi.stubGlobal("fetch", backend.fetch);
    act(() => useSocketStatuses.getState().set("jobs", "reconnecting"));
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("polls GET /api/v1/jobs/<id> until the job finishes", async () => {
    renderWithProviders(<JobBar id={5} />);
    const bar = await screen.findByTestId("job-progress");
    expect(bar).toHaveAttribute("aria-valuenow", "10");
    await vi.waitFor(() => expect(screen.getByTestId("job-progress")).toHaveAttribute("aria-valuenow", "40"), { timeout: 4000 });
    await vi.waitFor(() => expect(screen.getByTestId("job-progress")).toHaveAttribute("data-status", "succeeded"), { timeout: 4000 });
    expect(screen.getByTestId("job-progress")).toHaveAttribute("aria-valuenow", "100");
  });
});
