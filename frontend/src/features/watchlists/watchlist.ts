/**
 * 관심종목 groups as plain data: the orders sent to the server when the user moves something, and
 * the list as it will look afterwards (shown before the server answers). Groups and their symbols
 * keep the user's order; `position` is 0-based, as the server numbers it.
 */
import type { Watchlist } from "./api/watchlists";

/** `items` with the one at `index` moved by `offset` places (−1 up, +1 down), or null if it cannot move. */
export function moved<T>(items: readonly T[], index: number, offset: number): T[] | null {
  const target = index + offset;
  if (index < 0 || index >= items.length || target < 0 || target >= items.length || offset === 0) return null;
  const next = [...items];
  const [item] = next.splice(index, 1);
  next.splice(target, 0, item);
  return next;
}

/** The group's codes with `code` moved by `offset`: the body of PUT watchlists/<id>/symbols. */
export function codesAfterMove(group: Watchlist, code: string, offset: number): string[] | null {
  const codes = group.items.map((item) => item.code);
  return moved(codes, codes.indexOf(code), offset);
}

/** Every group id with `id` moved by `offset`: the body of PUT watchlists/order. */
export function idsAfterMove(groups: readonly Watchlist[], id: number, offset: number): number[] | null {
  const ids = groups.map((group) => group.id);
  return moved(ids, ids.indexOf(id), offset);
}

function inOrder<T extends { position: number }>(rows: readonly T[], keys: readonly (string | number)[], key: (row: T) => string | number): T[] {
  const byKey = new Map(rows.map((row) => [key(row), row]));
  const ordered = keys.map((k) => byKey.get(k)).filter((row): row is T => row !== undefined);
  // Anything the order left out (it should name every row) keeps its place after the rest.
  for (const row of rows) if (!keys.includes(key(row))) ordered.push(row);
  return ordered.map((row, position) => (row.position === position ? row : { ...row, position }));
}

/** The groups in the order of `ids`. */
export function withGroupOrder(groups: readonly Watchlist[], ids: readonly number[]): Watchlist[] {
  return inOrder(groups, ids, (group) => group.id);
}

/** Group `id` with its symbols in the order of `codes`. */
export function withSymbolOrder(groups: readonly Watchlist[], id: number, codes: readonly string[]): Watchlist[] {
  return groups.map((group) => (group.id === id ? { ...group, items: inOrder(group.items, codes, (item) => item.code) } : group));
}

/** Group `id` with `symbol` at the end, as the server adds it (nothing changes if it is there already). */
export function withSymbolAdded(
  groups: readonly Watchlist[],
  id: number,
  symbol: { code: string; name: string; market: string },
  addedAt: string = new Date().toISOString(),
): Watchlist[] {
  return groups.map((group) =>
    group.id !== id || group.items.some((item) => item.code === symbol.code)
      ? group
      : { ...group, items: [...group.items, { ...symbol, position: group.items.length, added_at: addedAt }] },
  );
}

/** Group `id` without `code`; the symbols after it move up a place. */
export function withoutSymbol(groups: readonly Watchlist[], id: number, code: string): Watchlist[] {
  return groups.map((group) =>
    group.id === id
      ? { ...group, items: group.items.filter((item) => item.code !== code).map((item, position) => ({ ...item, position })) }
      : group,
  );
}

/** The groups without group `id`. */
export function withoutGroup(groups: readonly Watchlist[], id: number): Watchlist[] {
  return groups.filter((group) => group.id !== id).map((group, position) => (group.position === position ? group : { ...group, position }));
}

/** The groups with `row` (the server's answer for one group) in place of the old one. */
export function replaceGroup(groups: readonly Watchlist[], row: Watchlist): Watchlist[] {
  return groups.some((group) => group.id === row.id) ? groups.map((group) => (group.id === row.id ? row : group)) : withGroupAdded(groups, row);
}

/** The groups with a new one at the end (where the server puts it). */
export function withGroupAdded(groups: readonly Watchlist[], row: Watchlist): Watchlist[] {
  return [...groups.filter((group) => group.id !== row.id), row];
}

/** The ids of the groups that hold `code`. */
export function groupsHolding(groups: readonly Watchlist[], code: string): number[] {
  return groups.filter((group) => group.items.some((item) => item.code === code)).map((group) => group.id);
}

/** A name for a new group that no group has yet: 관심종목, then 관심종목 2, 3, … */
export function freeGroupName(groups: readonly Watchlist[], base = "관심종목"): string {
  const taken = new Set(groups.map((group) => group.name.trim()));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) if (!taken.has(`${base} ${n}`)) return `${base} ${n}`;
}

/** The group to show: the one asked for if it still exists, else the first (null: no groups). */
export function pickGroup(groups: readonly Watchlist[], wanted: number | null): Watchlist | null {
  return groups.find((group) => group.id === wanted) ?? groups[0] ?? null;
}
