import { type FormEvent, useState } from "react";

import { FieldError, FormError } from "@/components/FieldError";
import { useT } from "@/lib/i18n";
import type { Account } from "@/types/models";

import { useDeposit, useResetAccount } from "../api/accounts";

/** Reset (with confirmation) and deposit for one account. */
export function AccountActions({ account }: { account: Account }) {
  const t = useT();
  const reset = useResetAccount();
  const deposit = useDeposit();
  const [amount, setAmount] = useState("");
  const onDeposit = (event: FormEvent) => {
    event.preventDefault();
    const value = Number(amount.replace(/[^0-9]/g, ""));
    deposit.mutate({ id: account.id, amount: value }, { onSuccess: () => setAmount("") });
  };
  return (
    <div className="account-actions">
      <form className="inline-form" onSubmit={onDeposit}>
        <input
          name="amount"
          inputMode="numeric"
          placeholder={t("account.amount")}
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
        />
        <button type="submit" className="btn btn-small" disabled={deposit.isPending || !amount}>
          {t("account.deposit")}
        </button>
        <FieldError error={deposit.error} name="amount" />
        <FormError error={deposit.error} fields={["amount"]} />
      </form>
      <button
        type="button"
        className="btn btn-small btn-danger"
        disabled={reset.isPending}
        onClick={() => {
          if (window.confirm(t("account.resetConfirm"))) reset.mutate({ id: account.id });
        }}
      >
        {t("account.reset")}
      </button>
      <FormError error={reset.error} />
    </div>
  );
}
