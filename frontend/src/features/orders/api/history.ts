import { infiniteQueryOptions, keepPreviousData, queryOptions, useInfiniteQuery, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api";
import type { components } from "@/types/api";

import { buildJournal } from "../journal";

type Schemas = components["schemas"];

/** GET accounts/<id>/history: equity, P&L and return per day (or per intraday bucket), the last point live. */
export type AccountHistory = Schemas["HistoryOutput"];
export type HistoryPoint = Schemas["HistoryPointOutput"];
export type HistoryPeriod = Schemas["HistoryPeriodEnum"];
/** GET accounts/<id>/activities: fills, deposits, resets, commissions, taxes and T+2 settlements, newest first. */
export type Activity = Schemas["ActivityOutput"];
export type ActivityType = Schemas["ActivityTypeEnum"];
export type ActivityPage = Schemas["ActivityPageOutput"];

export const getAccountHistory = (account: number, period: HistoryPeriod) =>
  api.get<AccountHistory>(`accounts/${account}/history`, { period });

// Under ["orders"]: every order event refreshes it (useOrderStream), so the last point follows fills.
export const accountHistoryQueryOptions = (account: number, period: HistoryPeriod) =>
  queryOptions({
    queryKey: ["orders", "history", account, period],
    queryFn: () => getAccountHistory(account, period),
    refetchInterval: 60_000,
    placeholderData: keepPreviousData,
  });

export const useAccountHistory = (account: number, period: HistoryPeriod) => useQuery(accountHistoryQueryOptions(account, period));

export interface ActivityFilter {
  types?: readonly ActivityType[];
  /** Exclusive lower bound (ISO). */
  after?: string;
  /** Inclusive upper bound (ISO). */
  until?: string;
}

export const ACTIVITY_PAGE_SIZE = 100;
/** The largest page the API serves; whole-history reads use it. */
const FULL_PAGE = 500;
/** Whole-history reads stop here (100,000 rows) rather than loop without end. */
const MAX_PAGES = 200;

export const getActivityPage = (account: number, filter: ActivityFilter, pageToken?: string | null, pageSize = ACTIVITY_PAGE_SIZE) =>
  api.get<ActivityPage>(`accounts/${account}/activities`, {
    type: filter.types?.length ? filter.types.join(",") : undefined,
    after: filter.after,
    until: filter.until,
    page_token: pageToken ?? undefined,
    page_size: pageSize,
  });

/** Every activity that matches, page after page (newest first); `complete` is false past MAX_PAGES. */
export async function getAllActivities(account: number, filter: ActivityFilter): Promise<{ results: Activity[]; complete: boolean }> {
  const results: Activity[] = [];
  let token: string | null = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer: ActivityPage = await getActivityPage(account, filter, token, FULL_PAGE);
    results.push(...answer.results);
    token = answer.page_token;
    if (!token) return { results, complete: true };
  }
  return { results, complete: false };
}

export const activitiesQueryOptions = (account: number, filter: ActivityFilter) =>
  infiniteQueryOptions({
    queryKey: ["orders", "activities", account, filter],
    queryFn: ({ pageParam }) => getActivityPage(account, filter, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.page_token,
    placeholderData: keepPreviousData,
  });

export const useActivities = (account: number, filter: ActivityFilter) => useInfiniteQuery(activitiesQueryOptions(account, filter));

/**
 * The trade journal: every fill of the account with its commission and tax and the realised P&L it
 * booked. The API's fills carry neither, so the whole history (fills, their costs, and the resets
 * that empty the positions) is read and replayed as the server's ledger books it (journal.ts).
 */
export const JOURNAL_TYPES: readonly ActivityType[] = ["fill", "commission", "tax", "reset"];

export const journalQueryOptions = (account: number) =>
  queryOptions({
    queryKey: ["orders", "journal", account],
    queryFn: async () => {
      const { results, complete } = await getAllActivities(account, { types: JOURNAL_TYPES });
      return { fills: buildJournal(results, { complete }), complete };
    },
    // No polling: it reads the whole history, and every order event refreshes it (useOrderStream).
  });

export const useJournal = (account: number) => useQuery(journalQueryOptions(account));
