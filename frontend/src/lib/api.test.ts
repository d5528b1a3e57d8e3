import { afterEach, describe, expect, it, vi } from "vitest";

import { useUiStore } from "@/stores/ui";

import { api, ApiError } from "./api";

describe("request", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    useUiStore.setState({ language: "ko" });
  });

  it("sends the SPA's language, and says in it that the server cannot be reached", async () => {
    const fetchMock = vi.fn().mockRejectedValue(new TypeError("Failed to fetch"));
    vi.stubGlobal("fetch", fetchMock);
    useUiStore.setState({ language: "en" });
    const error = await api.get("market/status").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, code: "network", message: "Cannot reach the server. Check the connection." });
    expect(new Headers(fetchMock.mock.calls[0][1].headers).get("Accept-Language")).toBe("en");
    useUiStore.setState({ language: "ko" });
    await expect(api.get("market/status")).rejects.toMatchObject({ message: "서버에 연결할 수 없습니다. 네트워크를 확인해 주세요." });
  });
});
