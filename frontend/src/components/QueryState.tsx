import type { ReactNode } from "react";

import { ApiError } from "@/lib/api";
import { useT } from "@/lib/i18n";

interface Props<T> {
  query: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}

/** Loading, error (with retry) and empty states around a query, the same everywhere. */
export function QueryState<T>({ query, isEmpty, empty, children }: Props<T>) {
  const t = useT();
  if (query.isPending) {
    return (
      <div className="state state-loading" role="status" aria-busy="true">
        <span className="spinner" aria-hidden="true" /> {t("common.loading")}
      </div>
    );
  }
  if (query.isError || query.data === undefined) {
    const message = query.error instanceof ApiError ? query.error.message : String(query.error ?? "");
    return (
      <div className="state state-error" role="alert">
        <span>
          {t("common.error")}
          {message ? `: ${message}` : ""}
        </span>
        <button type="button" className="btn btn-small" onClick={() => query.refetch()}>
          {t("common.retry")}
        </button>
      </div>
    );
  }
  if (isEmpty?.(query.data)) {
    return <div className="state state-empty">{empty ?? t("common.empty")}</div>;
  }
  return <>{children(query.data)}</>;
}
