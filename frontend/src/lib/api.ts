/** The one HTTP client: JSON in and out, session cookie, X-CSRFToken on writes, typed errors. */

import { translate } from "@/lib/i18n";
import { useUiStore } from "@/stores/ui";

export type ErrorFields = Record<string, string[]>;

/** The server's error shape: {"error": {"code", "message", "fields"}} (docs/api.md). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: ErrorFields;

  constructor(status: number, code: string, message: string, fields: ErrorFields = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
  }

  /** The first message for a field, for showing it next to the input. */
  field(name: string): string | undefined {
    return this.fields[name]?.[0];
  }
}

export const API_BASE = "/api/v1";

export function readCookie(name: string): string | undefined {
  const prefix = `${name}=`;
  for (const part of document.cookie.split(";")) {
    const item = part.trim();
    if (item.startsWith(prefix)) return decodeURIComponent(item.slice(prefix.length));
  }
  return undefined;
}

let csrfReady: Promise<void> | null = null;

/** Make sure the csrftoken cookie exists (GET auth/csrf sets it). */
export async function ensureCsrf(): Promise<string | undefined> {
  if (!readCookie("csrftoken")) {
    csrfReady ??= fetch(`${API_BASE}/auth/csrf`, { credentials: "same-origin" }).then(() => undefined);
    await csrfReady;
    csrfReady = null;
  }
  return readCookie("csrftoken");
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function parseError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // not JSON (a proxy error page, say)
  }
  const error = (body as { error?: { code?: string; message?: string; fields?: ErrorFields } } | null)?.error;
  if (error) {
    return new ApiError(response.status, error.code ?? "error", error.message ?? response.statusText, error.fields ?? {});
  }
  return new ApiError(response.status, "http_error", `${response.status} ${response.statusText}`.trim());
}

export async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  // Server messages in the SPA's language (a signed-in user's saved language setting still wins: config/locale.py).
  const headers: Record<string, string> = { Accept: "application/json", "Accept-Language": useUiStore.getState().language };
  if (method !== "GET" && method !== "HEAD") {
    const token = await ensureCsrf();
    if (token) headers["X-CSRFToken"] = token;
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(withQuery(`${API_BASE}/${path.replace(/^\//, "")}`, query), {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    // The browser's own words ("Failed to fetch") are neither the user's language nor any help.
    throw new ApiError(0, "network", translate(useUiStore.getState().language, "common.offline"));
  }
  if (!response.ok) throw await parseError(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>("GET", path, undefined, query),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  delete: <T>(path: string) => request<T>("DELETE", path),
};

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** Lists are paginated; accept a bare array too so a list endpoint can change shape without breaking us. */
export function resultsOf<T>(data: Page<T> | T[] | undefined): T[] {
  if (!data) return [];
  return Array.isArray(data) ? data : data.results;
}
