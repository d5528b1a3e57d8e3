import { useEffect } from "react";

import { useUiStore } from "@/stores/ui";

import { useAccounts } from "../api/accounts";

/** The account the user picked (remembered), falling back to the first one. */
export function useSelectedAccount() {
  const accounts = useAccounts();
  const accountId = useUiStore((s) => s.accountId);
  const setAccountId = useUiStore((s) => s.setAccountId);
  const list = accounts.data ?? [];
  const account = list.find((a) => a.id === accountId) ?? list[0] ?? null;
  useEffect(() => {
    if (account && account.id !== accountId) setAccountId(account.id);
  }, [account, accountId, setAccountId]);
  return { accounts, account, setAccountId };
}
