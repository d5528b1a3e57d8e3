import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeBackend, renderWithProviders } from "@/test/render";

import { StrategyForm } from "./StrategyForm";

describe("StrategyForm", () => {
  let backend: ReturnType<typeof fakeBackend>;
  beforeEach(() => {
    backend = fakeBackend({
      "POST /api/v1/strategies": ({ body }) => ({ status: 201, body: { id: 1, ...(body as object) } }),
    });
    vi.stubGlobal("fetch", backend.fetch);
  });
  afterEach(() => vi.unstubAllGlobals());

  it("sends no validation period unless both dates are given, the execution moment and the walk-forward chosen", async () => {
    const user = userEvent.setup();
    const { container } = renderWithProviders(<StrategyForm />);
    await user.type(screen.getByRole("textbox", { name: /^(전략명|Name)$/ }), "first");
    await user.click(screen.getByRole("button", { name: /전략 만들기|Create/ }));
    await waitFor(() => expect(backend.calls.filter((c) => c.method === "POST")).toHaveLength(1));
    const first = backend.calls.find((c) => c.method === "POST")?.body as Record<string, unknown>;
    expect(first.validation_start).toBeNull();
    expect(first.validation_end).toBeNull();
    expect(first.execution).toBe("open");
    expect([first.walk_forward_months, first.walk_forward_training]).toEqual([null, "rolling"]);

    await user.type(screen.getByRole("textbox", { name: /^(전략명|Name)$/ }), "second");
    const start = container.querySelector<HTMLInputElement>('input[name="validation_start"]')!;
    const end = container.querySelector<HTMLInputElement>('input[name="validation_end"]')!;
    await user.type(start, "2025-01-02");
    await user.type(end, "2025-06-30");
    await user.selectOptions(screen.getByRole("combobox", { name: /체결 시점|Execution/ }), "close");
    await user.type(screen.getByRole("textbox", { name: /재학습 간격|Retrain every/ }), "3");
    await user.selectOptions(screen.getByRole("combobox", { name: /학습 창|Training window/ }), "expanding");
    await user.click(screen.getByRole("button", { name: /전략 만들기|Create/ }));
    await waitFor(() => expect(backend.calls.filter((c) => c.method === "POST")).toHaveLength(2));
    const second = backend.calls.filter((c) => c.method === "POST")[1].body as Record<string, unknown>;
    expect([second.validation_start, second.validation_end, second.execution]).toEqual(["2025-01-02", "2025-06-30", "close"]);
    expect([second.walk_forward_months, second.walk_forward_training]).toEqual([3, "expanding"]);
  });
});
