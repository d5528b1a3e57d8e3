import { describe, expect, it } from "vitest";

import type { Watchlist } from "./api/watchlists";
import {
  codesAfterMove,
  freeGroupName,
  groupsHolding,
  idsAfterMove,
  moved,
  pickGroup,
  replaceGroup,
  withGroupOrder,
  withoutGroup,
  withoutSymbol,
  withSymbolAdded,
  withSymbolOrder,
} from "./watchlist";

const item = (code: string, name: string, position: number) => ({ code, name, market: "KOSPI", position, added_at: "2026-11-25T10:00:00+09:00" });

const group = (id: number, name: string, position: number, codes: [string, string][] = []): Watchlist => ({
  id,
  name,
  position,
  created_at: "2026-11-25T09:00:00+09:00",
  items: codes.map(([code, n], i) => item(code, n, i)),
});

const GROUPS: Watchlist[] = [
  group(1, "관심종목", 0, [
    ["005930", "삼성전자"],
    ["000660", "SK하이닉스"],
    ["035420", "NAVER"],
  ]),
  group(4, "반도체", 1, [["000660", "SK하이닉스"]]),
  group(9, "2차전지", 2),
];

describe("moved", () => {
  it("moves one item up or down a place", () => {
    expect(moved(["a", "b", "c"], 1, -1)).toEqual(["b", "a", "c"]);
    expect(moved(["a", "b", "c"], 1, 1)).toEqual(["a", "c", "b"]);
    expect(moved(["a", "b", "c"], 0, 2)).toEqual(["b", "c", "a"]);
  });

  it("refuses moves past either end, of nothing, or by nothing", () => {
    expect(moved(["a", "b", "c"], 0, -1)).toBeNull();
    expect(moved(["a", "b", "c"], 2, 1)).toBeNull();
    expect(moved(["a", "b", "c"], -1, 1)).toBeNull(); // not in the list
    expect(moved(["a"], 0, 0)).toBeNull();
    expect(moved([], 0, 1)).toBeNull();
  });

  it("leaves the input as it was", () => {
    const items = ["a", "b"];
    moved(items, 0, 1);
    expect(items).toEqual(["a", "b"]);
  });
});

describe("the orders sent to the server", () => {
  it("names every code of the group once, with the moved one in its new place", () => {
    expect(codesAfterMove(GROUPS[0], "000660", -1)).toEqual(["000660", "005930", "035420"]);
    expect(codesAfterMove(GROUPS[0], "000660", 1)).toEqual(["005930", "035420", "000660"]);
    expect(codesAfterMove(GROUPS[0], "005930", -1)).toBeNull();
    expect(codesAfterMove(GROUPS[0], "999999", 1)).toBeNull();
  });

  it("names every group id once", () => {
    expect(idsAfterMove(GROUPS, 9, -1)).toEqual([1, 9, 4]);
    expect(idsAfterMove(GROUPS, 1, 1)).toEqual([4, 1, 9]);
    expect(idsAfterMove(GROUPS, 9, 1)).toBeNull();
  });
});

describe("the list as it will look", () => {
  it("puts the groups in the new order and renumbers them", () => {
    const next = withGroupOrder(GROUPS, [9, 1, 4]);
    expect(next.map((g) => [g.id, g.position])).toEqual([
      [9, 0],
      [1, 1],
      [4, 2],
    ]);
    expect(GROUPS.map((g) => g.id)).toEqual([1, 4, 9]); // not changed in place
  });

  it("keeps a group the order left out after the others", () => {
    expect(withGroupOrder(GROUPS, [9, 1]).map((g) => g.id)).toEqual([9, 1, 4]);
  });

  it("reorders the symbols of one group only", () => {
    const next = withSymbolOrder(GROUPS, 1, ["035420", "005930", "000660"]);
    expect(next[0].items.map((i) => [i.code, i.position])).toEqual([
      ["035420", 0],
      ["005930", 1],
      ["000660", 2],
    ]);
    expect(next[1]).toBe(GROUPS[1]);
  });

  it("adds a symbol at the end of one group, once", () => {
    const next = withSymbolAdded(GROUPS, 4, { code: "005930", name: "삼성전자", market: "KOSPI" }, "2026-11-25T11:00:00+09:00");
    expect(next[1].items.map((i) => [i.code, i.position])).toEqual([
      ["000660", 0],
      ["005930", 1],
    ]);
    expect(next[1].items[1]).toMatchObject({ name: "삼성전자", market: "KOSPI", added_at: "2026-11-25T11:00:00+09:00" });
    expect(next[0]).toBe(GROUPS[0]);
    expect(withSymbolAdded(GROUPS, 4, { code: "000660", name: "SK하이닉스", market: "KOSPI" })[1]).toBe(GROUPS[1]);
  });

  it("removes a symbol from one group, closing the gap", () => {
    const next = withoutSymbol(GROUPS, 1, "005930");
    expect(next[0].items.map((i) => [i.code, i.position])).toEqual([
      ["000660", 0],
      ["035420", 1],
    ]);
    expect(next[1].items.map((i) => i.code)).toEqual(["000660"]); // the same code elsewhere stays
  });

  it("removes a group and renumbers the rest", () => {
    expect(withoutGroup(GROUPS, 4).map((g) => [g.id, g.position])).toEqual([
      [1, 0],
      [9, 1],
    ]);
  });

  it("replaces a group with the server's answer, or appends a new one", () => {
    const renamed = { ...GROUPS[1], name: "메모리" };
    expect(replaceGroup(GROUPS, renamed).map((g) => g.name)).toEqual(["관심종목", "메모리", "2차전지"]);
    const created = group(12, "바이오", 3);
    expect(replaceGroup(GROUPS, created).map((g) => g.id)).toEqual([1, 4, 9, 12]);
  });
});

describe("reading the groups", () => {
  it("finds the groups that hold a symbol", () => {
    expect(groupsHolding(GROUPS, "000660")).toEqual([1, 4]);
    expect(groupsHolding(GROUPS, "005930")).toEqual([1]);
    expect(groupsHolding(GROUPS, "068270")).toEqual([]);
  });

  it("suggests a group name no group has", () => {
    expect(freeGroupName([])).toBe("관심종목");
    expect(freeGroupName(GROUPS)).toBe("관심종목 2");
    expect(freeGroupName([...GROUPS, group(13, "관심종목 2", 3)])).toBe("관심종목 3");
  });

  it("shows the group asked for, else the first", () => {
    expect(pickGroup(GROUPS, 4)?.id).toBe(4);
    expect(pickGroup(GROUPS, 77)?.id).toBe(1);
    expect(pickGroup(GROUPS, null)?.id).toBe(1);
    expect(pickGroup([], 4)).toBeNull();
  });
});
