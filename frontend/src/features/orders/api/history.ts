import { infiniteQueryOptions, keepPreviousData, queryOptions, useInfiniteQuery, useQuery } from "@tanstack/react-query";

import { api, type Page } from "@/lib/api";
import type { components } from "@/types/api";
import type { Fill } from "@/types/models";

import { activityWindow, type DayRange, journalFills } from "../journal";

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

/** GET trades?account=&after=&until=: the account's fills in a window, with their costs, name and realised P&L. */
export interface FillWindow {
  /** Exclusive lower bound (ISO). */
  after?: string;
  /** Inclusive upper bound (ISO). */
  until?: string;
}

/**
 * Every fill of the account in `window` (all of them without one), newest first, page after page;
 * `complete` is false past MAX_PAGES. A fill booked while the pages are read moves the later pages
 * along by one (the newest come first): a row seen twice is kept once.
 */
export async function getAllFills(account: number, window: FillWindow = {}): Promise<{ results: Fill[]; complete: boolean }> {
  const seen = new Set<number>();
  const results: Fill[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const answer = await api.get<Page<Fill>>("trades", { account, after: window.after, until: window.until, page, page_size: FULL_PAGE });
    for (const fill of answer.results) {
      if (!seen.has(fill.id)) results.push(fill);
      seen.add(fill.id);
    }
    if (!answer.next) return { results, complete: true };
  }
  return { results, complete: false };
}

/**
 * The trade journal of a period of Seoul days (every fill without one): the fills with their
 * commission, tax and the realised P&L each booked, as the server's ledger booked them.
 */
export const journalQueryOptions = (account: number, range?: DayRange | null) => {
  const window: FillWindow = range ? activityWindow(range) : {};
  return queryOptions({
    queryKey: ["orders", "journal", account, window],
    queryFn: async () => {
      const { results, complete } = await getAllFills(account, window);
      return { fills: journalFills(results), complete };
    },
    // A new period keeps the last one's rows on screen (the card shows only its own days) until it arrives.
    placeholderData: keepPreviousData,
    // No polling: every order event refreshes it (useOrderStream).
  });
};

/** The journal of `range`'s days, or (no range) of the whole history. */
export const useJournal = (account: number, range?: DayRange | null) => useQuery(journalQueryOptions(account, range));
