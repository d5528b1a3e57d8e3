import { type QueryClient, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, request } from "@/lib/api";
import { useToasts } from "@/stores/toasts";
import type { components } from "@/types/api";

import {
  replaceGroup,
  withGroupAdded,
  withGroupOrder,
  withoutGroup,
  withoutSymbol,
  withSymbolAdded,
  withSymbolOrder,
} from "../watchlist";

type Schemas = components["schemas"];
type Out<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };

/** One symbol of a 관심종목 group (docs/api.md "watchlists"). */
export type WatchlistItem = Out<Schemas["WatchlistItemOutput"]>;
/** A 관심종목 group with its symbols in the user's order. */
export type Watchlist = Omit<Out<Schemas["WatchlistOutput"]>, "items"> & { items: WatchlistItem[] };

export const WATCHLISTS_KEY = ["watchlists"] as const;

export const getWatchlists = () => api.get<Watchlist[]>("watchlists");

export const watchlistsQueryOptions = () =>
  queryOptions({ queryKey: WATCHLISTS_KEY, queryFn: getWatchlists, staleTime: 30_000 });

export const useWatchlists = () => useQuery(watchlistsQueryOptions());

export const createWatchlist = ({ name }: { name: string }) => api.post<Watchlist>("watchlists", { name });
export const renameWatchlist = ({ id, name }: { id: number; name: string }) => api.patch<Watchlist>(`watchlists/${id}`, { name });
export const deleteWatchlist = ({ id }: { id: number }) => api.delete<void>(`watchlists/${id}`);
export const reorderWatchlists = ({ ids }: { ids: number[] }) => request<Watchlist[]>("PUT", "watchlists/order", { ids });
/** `item`: what the row shows until the server answers. */
export const addWatchlistSymbol = ({ id, code }: { id: number; code: string; item?: { code: string; name: string; market: string } }) =>
  api.post<Watchlist>(`watchlists/${id}/symbols`, { code });
export const removeWatchlistSymbol = ({ id, code }: { id: number; code: string }) =>
  api.delete<Watchlist>(`watchlists/${id}/symbols/${encodeURIComponent(code)}`);
export const reorderWatchlistSymbols = ({ id, codes }: { id: number; codes: string[] }) =>
  request<Watchlist>("PUT", `watchlists/${id}/symbols`, { codes });

/** Clients whose queue skipped a server answer while later changes waited: reload once it drains. */
const staleAfterQueue = new WeakSet<QueryClient>();

/**
 * Every write to the groups runs in one queue (a TanStack mutation scope), in the order the user
 * made them: two quick ▲ presses send two orders that must reach the server in sequence. A change
 * shows at once (`optimistic`) where its result is known beforehand; the server's answer is
 * written into the cache when no later change is waiting (else the list reloads once the queue is
 * empty), and an error reloads the truth. `quiet`: the caller shows the error itself (a form).
 */
function useWatchlistMutation<Vars, Result>(
  mutationFn: (vars: Vars) => Promise<Result>,
  settle: (groups: Watchlist[], result: Result, vars: Vars) => Watchlist[],
  { optimistic, quiet = false }: { optimistic?: (groups: Watchlist[], vars: Vars) => Watchlist[]; quiet?: boolean } = {},
) {
  const client = useQueryClient();
  return useMutation({
    mutationKey: WATCHLISTS_KEY,
    scope: { id: "watchlists" },
    mutationFn,
    onMutate: async (vars: Vars) => {
      if (!optimistic) return;
      await client.cancelQueries({ queryKey: WATCHLISTS_KEY });
      client.setQueryData<Watchlist[]>(WATCHLISTS_KEY, (groups) => groups && optimistic(groups, vars));
    },
    onSuccess: (result: Result, vars: Vars) => {
      if (lastInQueue(client)) client.setQueryData<Watchlist[]>(WATCHLISTS_KEY, (groups) => groups && settle(groups, result, vars));
      else staleAfterQueue.add(client);
    },
    onError: (error: Error) => {
      if (!quiet) useToasts.getState().push({ text: error.message, tone: "info" });
      staleAfterQueue.add(client);
    },
    onSettled: () => {
      if (!lastInQueue(client) || !staleAfterQueue.has(client)) return;
      staleAfterQueue.delete(client);
      return client.invalidateQueries({ queryKey: WATCHLISTS_KEY });
    },
  });
}

/** Whether the mutation finishing now is the only watchlist write still pending. */
function lastInQueue(client: QueryClient): boolean {
  return client.isMutating({ mutationKey: WATCHLISTS_KEY }) <= 1;
}

export const useCreateWatchlist = () =>
  useWatchlistMutation(createWatchlist, (groups, row) => withGroupAdded(groups, row), { quiet: true });

export const useRenameWatchlist = () => useWatchlistMutation(renameWatchlist, (groups, row) => replaceGroup(groups, row), { quiet: true });

export const useDeleteWatchlist = () =>
  useWatchlistMutation(deleteWatchlist, (groups, _result, { id }) => withoutGroup(groups, id), {
    optimistic: (groups, { id }) => withoutGroup(groups, id),
  });

export const useReorderWatchlists = () =>
  useWatchlistMutation(reorderWatchlists, (_groups, rows) => rows, { optimistic: (groups, { ids }) => withGroupOrder(groups, ids) });

export const useAddWatchlistSymbol = () =>
  useWatchlistMutation(addWatchlistSymbol, (groups, row) => replaceGroup(groups, row), {
    optimistic: (groups, { id, item }) => (item ? withSymbolAdded(groups, id, item) : groups),
  });

export const useRemoveWatchlistSymbol = () =>
  useWatchlistMutation(removeWatchlistSymbol, (groups, row) => replaceGroup(groups, row), {
    optimistic: (groups, { id, code }) => withoutSymbol(groups, id, code),
  });

export const useReorderWatchlistSymbols = () =>
  useWatchlistMutation(reorderWatchlistSymbols, (groups, row) => replaceGroup(groups, row), {
    optimistic: (groups, { id, codes }) => withSymbolOrder(groups, id, codes),
  });
