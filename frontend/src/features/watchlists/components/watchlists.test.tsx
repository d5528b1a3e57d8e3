import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useLocation } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { useLiveMarket } from "@/lib/realtime";
import { useToasts } from "@/stores/toasts";
import { fakeBackend, renderWithProviders } from "@/test/render";
import type { Quote } from "@/types/models";

import type { Watchlist } from "../api/watchlists";
import { AddToWatchlist } from "./AddToWatchlist";
import { WatchlistBoard } from "./WatchlistBoard";

const NAMES: Record<string, string> = { "005930": "삼성전자", "000660": "SK하이닉스", "035420": "NAVER", "068270": "셀트리온" };
const NAME_TAKEN = "같은 이름의 그룹이 이미 있습니다 (fake server)";

const quote = (code: string, price: number, prev: number): Quote => ({
  code,
  name: NAMES[code],
  price,
  open: prev,
  high: price,
  low: prev,
  prev_close: prev,
  change: price - prev,
  change_rate: Math.round(((price - prev) * 10000) / prev) / 100,
  volume: 1000,
  value: price * 1000,
  best_bid: price - 100,
  best_ask: price,
  time: "2026-11-25T10:00:00+09:00",
  phase: "continuous",
  session: null,
  expected_price: null,
  expected_quantity: null,
  vi: null,
  upper_limit: null,
  lower_limit: null,
});

const SNAPSHOT: Record<string, Quote> = {
  "005930": quote("005930", 71_000, 70_000),
  "000660": quote("000660", 180_000, 181_000),
  "035420": quote("035420", 187_300, 187_300),
};

/**
 * The watchlist REST API as docs/api.md describes it, in memory, at the HTTP wire: groups and
 * items keep positions, names are unique, orders must name every row once.
 */
function watchServer(initial: [number, string, string[]][]) {
  let nextId = 100;
  const groups: Watchlist[] = initial.map(([id, name, codes], position) => ({
    id,
    name,
    position,
    created_at: "2026-11-25T09:00:00+09:00",
    items: codes.map((code, i) => ({ code, name: NAMES[code], market: "KOSPI", position: i, added_at: "2026-11-25T09:00:00+09:00" })),
  }));
  const clone = <T,>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  const error = (status: number, code: string, message: string, field?: string) => ({
    status,
    body: { error: { code, message, fields: field ? { [field]: [message] } : {} } },
  });
  const renumber = <T extends { position: number }>(rows: T[]) => rows.forEach((row, i) => (row.position = i));
  const handle = ({ method, url, body }: { method: string; url: URL; body: unknown }) => {
    const path = url.pathname.replace(/^\/api\/v1\//, "");
    const data = (body ?? {}) as { name?: string; ids?: number[]; code?: string; codes?: string[] };
    if (path === "market/quotes") {
      return { body: (url.searchParams.get("codes") ?? "").split(",").flatMap((c) => (SNAPSHOT[c] ? [SNAPSHOT[c]] : [])) };
    }
    if (path === "watchlists" && method === "GET") return { body: clone(groups) };
    if (path === "watchlists" && method === "POST") {
      const name = (data.name ?? "").trim();
      if (groups.some((g) => g.name === name)) return error(409, "name_taken", NAME_TAKEN, "name");
      const row: Watchlist = { id: nextId++, name, position: groups.length, created_at: "2026-11-25T11:00:00+09:00", items: [] };
      groups.push(row);
      return { status: 201, body: clone(row) };
    }
    if (path === "watchlists/order" && method === "PUT") {
      const ids = data.ids ?? [];
      if ([...ids].sort().join() !== groups.map((g) => g.id).sort().join()) return error(422, "invalid", "order mismatch", "ids");
      groups.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
      renumber(groups);
      return { body: clone(groups) };
    }
    const one = path.match(/^watchlists\/(\d+)(\/symbols)?(?:\/(\w+))?$/);
    const group = one ? groups.find((g) => g.id === Number(one[1])) : undefined;
    if (!one || !group) return error(404, "not_found", "없는 그룹");
    if (!one[2]) {
      if (method === "PATCH") {
        if (groups.some((g) => g.name === data.name && g.id !== group.id)) return error(409, "name_taken", NAME_TAKEN, "name");
        group.name = data.name ?? group.name;
        return { body: clone(group) };
      }
      if (method === "DELETE") {
        groups.splice(groups.indexOf(group), 1);
        renumber(groups);
        return { status: 204 };
      }
      return { body: clone(group) };
    }
    if (method === "POST") {
      const code = data.code ?? "";
      if (group.items.some((i) => i.code === code)) return error(409, "already_in_watchlist", "이미 있음", "code");
      group.items.push({ code, name: NAMES[code], market: "KOSPI", position: group.items.length, added_at: "2026-11-25T11:00:00+09:00" });
      return { status: 201, body: clone(group) };
    }
    if (method === "PUT") {
      const codes = data.codes ?? [];
      if ([...codes].sort().join() !== group.items.map((i) => i.code).sort().join()) return error(422, "invalid", "order mismatch", "codes");
      group.items.sort((a, b) => codes.indexOf(a.code) - codes.indexOf(b.code));
      renumber(group.items);
      return { body: clone(group) };
    }
    if (method === "DELETE" && one[3]) {
      const index = group.items.findIndex((i) => i.code === one[3]);
      if (index < 0) return error(404, "not_found", "없는 종목", "code");
      group.items.splice(index, 1);
      renumber(group.items);
      return { body: clone(group) };
    }
    return undefined;
  };
  const backend = fakeBackend(new Proxy({}, { get: () => handle }));
  return { ...backend, groups, writes: () => backend.calls.filter((c) => c.method !== "GET") };
}

function Where() {
  const location = useLocation();
  return <output data-testid="where">{location.pathname + location.search}</output>;
}

function renderBoard(route = "/watch") {
  return renderWithProviders(
    <>
      <Routes>
        <Route path="/watch" element={<WatchlistBoard />} />
        <Route path="/symbols/:code" element={<p>symbol page</p>} />
      </Routes>
      <Where />
    </>,
    { route },
  );
}

const rowCodes = () => within(screen.getByTestId("watch-items")).getAllByRole("row").slice(1).map((r) => r.getAttribute("data-code"));
const row = (code: string) => screen.getByTestId("watch-items").querySelector(`tr[data-code="${code}"]`) as HTMLElement;

describe("WatchlistBoard", () => {
  let server: ReturnType<typeof watchServer>;

  beforeEach(() => {
    useLiveMarket.setState({ quotes: {}, books: {}, tapes: {} });
    useToasts.setState({ toasts: [] });
    server = watchServer([
      [1, "관심종목", ["005930", "000660", "035420"]],
      [2, "반도체", ["000660"]],
    ]);
    vi.stubGlobal("fetch", server.fetch);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("shows the groups as tabs and the first group's symbols, with prices, live once the stream speaks", async () => {
    renderBoard();
    const tabs = await screen.findAllByRole("tab");
    expect(tabs.map((t) => t.textContent)).toEqual(["관심종목 3", "반도체 1"]);
    expect(tabs[0]).toHaveAttribute("aria-selected", "true");
    expect(rowCodes()).toEqual(["005930", "000660", "035420"]);
    // The REST snapshot first …
    const price = () => within(row("005930")).getByTestId("watch-price");
    await waitFor(() => expect(price()).toHaveTextContent("71,000"));
    expect(price()).toHaveAttribute("data-live", "snapshot");
    expect(within(price()).getByText("71,000")).toHaveClass("dir-up");
    expect(within(row("000660")).getByText("-0.55%")).toHaveClass("dir-down");
    // … then each quote from /ws/quotes.
    act(() => useLiveMarket.getState().apply({ type: "quote", quote: quote("005930", 69_800, 70_000) }));
    expect(price()).toHaveAttribute("data-live", "stream");
    expect(within(price()).getByText("69,800")).toHaveClass("dir-down");
  });

  it("switches groups by click and by arrow keys, and keeps the choice in the URL", async () => {
    const user = userEvent.setup();
    renderBoard();
    await user.click(await screen.findByRole("tab", { name: /반도체/ }));
    expect(screen.getByTestId("where")).toHaveTextContent("/watch?group=2");
    expect(rowCodes()).toEqual(["000660"]);
    expect(screen.getByRole("tab", { name: /반도체/ })).toHaveFocus();
    await user.keyboard("{ArrowLeft}");
    expect(screen.getByRole("tab", { name: /관심종목/ })).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("tab", { name: /관심종목/ })).toHaveFocus();
    expect(rowCodes()).toEqual(["005930", "000660", "035420"]);
    await user.keyboard("{End}");
    expect(screen.getByTestId("where")).toHaveTextContent("/watch?group=2");
  });

  it("opens a symbol from its row", async () => {
    const user = userEvent.setup();
    renderBoard();
    await screen.findAllByRole("tab");
    await user.click(within(row("000660")).getByText("SK하이닉스"));
    expect(await screen.findByText("symbol page")).toBeInTheDocument();
    expect(screen.getByTestId("where")).toHaveTextContent("/symbols/000660");
  });

  it("moves symbols with ▲ ▼, by mouse or keyboard, keeping focus on the moved row", async () => {
    const user = userEvent.setup();
    renderBoard();
    await screen.findAllByRole("tab");
    expect(screen.queryByRole("button", { name: "삼성전자 아래로" })).toBeNull(); // only under 편집
    await user.click(screen.getByRole("button", { name: "편집" }));

    await user.click(screen.getByRole("button", { name: "삼성전자 아래로" }));
    expect(rowCodes()).toEqual(["000660", "005930", "035420"]); // at once
    expect(screen.getByRole("button", { name: "삼성전자 아래로" })).toHaveFocus();
    expect(screen.getByTestId("watch-announcement")).toHaveTextContent("삼성전자 2번째");
    // Enter on the focused ▼ again: 삼성전자 reaches the bottom, focus goes to its ▲.
    await user.keyboard("{Enter}");
    expect(rowCodes()).toEqual(["000660", "035420", "005930"]);
    expect(screen.getByRole("button", { name: "삼성전자 아래로" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "삼성전자 위로" })).toHaveFocus();

    await waitFor(() => expect(server.groups[0].items.map((i) => i.code)).toEqual(["000660", "035420", "005930"]));
    expect(server.writes().map((c) => [c.method, c.path, c.body])).toEqual([
      ["PUT", "/api/v1/watchlists/1/symbols", { codes: ["000660", "005930", "035420"] }],
      ["PUT", "/api/v1/watchlists/1/symbols", { codes: ["000660", "035420", "005930"] }],
    ]);
  });

  it("sends quick moves one after another, so the server ends in the order on screen", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      if (init?.method === "PUT" && !held) {
        held = true;
        await gate; // the first order is slow to arrive
      }
      return server.fetch(input, init);
    });
    const user = userEvent.setup();
    renderBoard();
    await screen.findAllByRole("tab");
    await user.click(screen.getByRole("button", { name: "편집" }));
    await user.click(screen.getByRole("button", { name: "NAVER 위로" }));
    await user.click(screen.getByRole("button", { name: "NAVER 위로" }));
    expect(rowCodes()).toEqual(["035420", "005930", "000660"]);
    // The second order waits for the first instead of overtaking it.
    expect(server.writes()).toHaveLength(0);
    release();
    await waitFor(() => expect(server.writes()).toHaveLength(2));
    await waitFor(() => expect(server.groups[0].items.map((i) => i.code)).toEqual(["035420", "005930", "000660"]));
    expect(rowCodes()).toEqual(["035420", "005930", "000660"]);
  });

  it("removes a symbol, focusing the row that takes its place", async () => {
    const user = userEvent.setup();
    renderBoard();
    await screen.findAllByRole("tab");
    await user.click(screen.getByRole("button", { name: "편집" }));
    await user.click(screen.getByRole("button", { name: "SK하이닉스 삭제" }));
    expect(rowCodes()).toEqual(["005930", "035420"]);
    expect(screen.getByRole("button", { name: "NAVER 삭제" })).toHaveFocus();
    await waitFor(() => expect(server.groups[0].items.map((i) => i.code)).toEqual(["005930", "035420"]));
    expect(server.groups[1].items.map((i) => i.code)).toEqual(["000660"]); // the other group keeps it
  });

  it("creates a group (a suggested name when left blank) and shows it", async () => {
    const user = userEvent.setup();
    renderBoard();
    await user.click(await screen.findByRole("button", { name: /새 그룹/ }));
    const form = screen.getByRole("form", { name: "새 그룹" });
    expect(within(form).getByLabelText("그룹 이름")).toHaveAttribute("placeholder", "관심종목 2");
    await user.type(within(form).getByLabelText("그룹 이름"), "2차전지");
    await user.click(within(form).getByRole("button", { name: "만들기" }));
    const tab = await screen.findByRole("tab", { name: /2차전지/ });
    await waitFor(() => expect(tab).toHaveAttribute("aria-selected", "true"));
    expect(screen.getByText(/담긴 종목이 없습니다/)).toBeInTheDocument();
    expect(server.groups.map((g) => g.name)).toEqual(["관심종목", "반도체", "2차전지"]);

    await user.click(screen.getByRole("button", { name: /새 그룹/ }));
    await user.click(within(screen.getByRole("form", { name: "새 그룹" })).getByRole("button", { name: "만들기" }));
    const second = await screen.findByRole("tab", { name: /관심종목 2/ });
    await waitFor(() => expect(second).toHaveAttribute("aria-selected", "true"));
  });

  it("shows the server's message next to the name when it is taken", async () => {
    const user = userEvent.setup();
    renderBoard();
    await user.click(await screen.findByRole("button", { name: /새 그룹/ }));
    const form = screen.getByRole("form", { name: "새 그룹" });
    await user.type(within(form).getByLabelText("그룹 이름"), "반도체");
    await user.click(within(form).getByRole("button", { name: "만들기" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent(NAME_TAKEN);
    expect(screen.getAllByRole("tab")).toHaveLength(2);
  });

  it("renames, moves and deletes (after confirming) the chosen group under 편집", async () => {
    const user = userEvent.setup();
    renderBoard("/watch?group=2");
    await screen.findAllByRole("tab");
    await user.click(screen.getByRole("button", { name: "편집" }));
    const tools = screen.getByTestId("group-tools");

    const name = within(tools).getByLabelText("그룹 이름");
    await user.clear(name);
    await user.type(name, "메모리");
    await user.click(within(tools).getByRole("button", { name: "이름 변경" }));
    expect(await screen.findByRole("tab", { name: /메모리/ })).toBeInTheDocument();

    expect(within(tools).getByRole("button", { name: "그룹을 뒤로" })).toBeDisabled();
    await user.click(within(tools).getByRole("button", { name: "그룹을 앞으로" }));
    expect(screen.getAllByRole("tab").map((t) => t.textContent)).toEqual(["메모리 1", "관심종목 3"]);
    await waitFor(() => expect(server.groups.map((g) => g.id)).toEqual([2, 1]));

    await user.click(within(tools).getByRole("button", { name: "그룹 삭제" }));
    const confirm = screen.getByRole("dialog", { name: "그룹 삭제" });
    expect(confirm).toHaveTextContent("‘메모리’ 그룹을 삭제할까요? 담긴 종목 1개도 함께 빠집니다.");
    await user.click(within(confirm).getByRole("button", { name: "삭제" }));
    expect(screen.getAllByRole("tab").map((t) => t.textContent)).toEqual(["관심종목 3"]);
    expect(screen.getByRole("tab", { name: /관심종목/ })).toHaveAttribute("aria-selected", "true");
    await waitFor(() => expect(server.groups.map((g) => g.id)).toEqual([1]));
  });

  it("offers to create the first group when there is none", async () => {
    server = watchServer([]);
    vi.stubGlobal("fetch", server.fetch);
    const user = userEvent.setup();
    renderBoard();
    const form = await screen.findByRole("form", { name: "새 그룹" });
    expect(screen.queryByRole("tablist")).toBeNull();
    expect(within(form).getByLabelText("그룹 이름")).toHaveAttribute("placeholder", "관심종목");
    await user.click(within(form).getByRole("button", { name: "만들기" }));
    const tab = await screen.findByRole("tab", { name: /관심종목/ });
    await waitFor(() => expect(tab).toHaveAttribute("aria-selected", "true"));
  });
});

describe("AddToWatchlist", () => {
  const SAMSUNG = { code: "005930", name: "삼성전자", market: "KOSPI" };
  let server: ReturnType<typeof watchServer>;

  beforeEach(() => {
    useToasts.setState({ toasts: [] });
    server = watchServer([
      [1, "관심종목", ["000660"]],
      [2, "반도체", ["005930"]],
    ]);
    vi.stubGlobal("fetch", server.fetch);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("shows ♥ when the symbol is in a group, and toggles it in each group from the dialog", async () => {
    const user = userEvent.setup();
    renderWithProviders(<AddToWatchlist symbol={SAMSUNG} />);
    const button = screen.getByRole("button", { name: "삼성전자 관심종목에 담기" });
    await waitFor(() => expect(button).toHaveAttribute("data-watched", "true"));
    expect(button).toHaveTextContent("♥");
    await user.click(button);
    const dialog = screen.getByRole("dialog", { name: "삼성전자 관심종목" });
    const first = within(dialog).getByRole("checkbox", { name: /관심종목/ });
    const second = within(dialog).getByRole("checkbox", { name: /반도체/ });
    expect(first).not.toBeChecked();
    expect(second).toBeChecked();
    expect(first).toHaveFocus();

    await user.click(first);
    expect(first).toBeChecked();
    await waitFor(() => expect(server.groups[0].items.map((i) => i.code)).toEqual(["000660", "005930"]));
    await waitFor(() => expect(useToasts.getState().toasts.map((t) => t.text)).toContain("삼성전자를 ‘관심종목’에 담았습니다"));

    await user.click(second);
    expect(second).not.toBeChecked();
    await waitFor(() => expect(server.groups[1].items).toEqual([]));
    expect(button).toHaveAttribute("data-watched", "true"); // still in 관심종목

    await user.click(first);
    await waitFor(() => expect(server.groups[0].items.map((i) => i.code)).toEqual(["000660"]));
    await waitFor(() => expect(button).toHaveAttribute("data-watched", "false"));
    expect(button).toHaveTextContent("♡");
  });

  it("creates a group and adds the symbol to it in one step", async () => {
    const user = userEvent.setup();
    renderWithProviders(<AddToWatchlist symbol={SAMSUNG} />);
    await user.click(screen.getByRole("button", { name: "삼성전자 관심종목에 담기" }));
    const dialog = screen.getByRole("dialog", { name: "삼성전자 관심종목" });
    await within(dialog).findAllByRole("checkbox");
    await user.type(within(dialog).getByLabelText("새 그룹"), "대형주");
    await user.click(within(dialog).getByRole("button", { name: "만들고 담기" }));
    const created = await within(dialog).findByRole("checkbox", { name: /대형주/ });
    await waitFor(() => expect(created).toBeChecked());
    await waitFor(() => expect(server.groups.map((g) => [g.name, g.items.map((i) => i.code)])).toEqual([
      ["관심종목", ["000660"]],
      ["반도체", ["005930"]],
      ["대형주", ["005930"]],
    ]));
    expect(within(dialog).getByLabelText("새 그룹")).toHaveValue("");
  });

  it("closes with Escape and returns focus to the button", async () => {
    const user = userEvent.setup();
    renderWithProviders(<AddToWatchlist symbol={SAMSUNG} />);
    const button = screen.getByRole("button", { name: "삼성전자 관심종목에 담기" });
    await user.click(button);
    expect(screen.getByRole("dialog")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(button).toHaveFocus();
  });
});
