import { type FormEvent, useState } from "react";

import { FieldError, FormError } from "@/components/FieldError";
import { Signed } from "@/components/Price";
import { QueryState } from "@/components/QueryState";
import { formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import type { Account } from "@/types/models";

import { useCreateAccount } from "../api/accounts";
import { useLiveAccount } from "../hooks/useLiveAccount";
import { useSelectedAccount } from "../hooks/useSelectedAccount";
import { cashFigures } from "../portfolio";

export function AccountSelector() {
  const t = useT();
  const { accounts, account, setAccountId } = useSelectedAccount();
  if (!accounts.data?.length || !account) return null;
  return (
    <label className="inline">
      {t("account.select")}{" "}
      <select name="account" value={account.id} onChange={(event) => setAccountId(Number(event.target.value))}>
        {accounts.data.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function AccountFigures({ account }: { account: Account }) {
  const t = useT();
  const { figures } = useLiveAccount(account);
  return (
    <dl className="figures" data-testid="account-summary" data-account-id={account.id}>
      <div>
        <dt>{t("account.equity")}</dt>
        <dd className="num big" data-testid="summary-equity">{formatWon(figures.equity)}</dd>
      </div>
      {cashFigures(account).map((figure) => (
        <div key={figure.testId}>
          <dt>{t(figure.label)}</dt>
          <dd className="num" data-testid={figure.testId}>
            {formatWon(figure.value)}
          </dd>
        </div>
      ))}
      <div>
        <dt>{t("account.marketValue")}</dt>
        <dd className="num" data-testid="summary-market-value">{formatWon(figures.marketValue)}</dd>
      </div>
      <div>
        <dt>{t("account.pnl")}</dt>
        <dd>
          <Signed value={figures.totalPnl} />
        </dd>
      </div>
      <div>
        <dt>{t("account.return")}</dt>
        <dd>
          <Signed value={figures.returnRate} percent />
        </dd>
      </div>
    </dl>
  );
}

export function CreateAccountForm() {
  const t = useT();
  const create = useCreateAccount();
  const [name, setName] = useState("");
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name: name.trim() || "모의계좌" }, { onSuccess: () => setName("") });
  };
  return (
    <form className="inline-form" onSubmit={onSubmit}>
      <input name="account-name" placeholder={t("account.name")} value={name} onChange={(e) => setName(e.target.value)} />
      <button className="btn btn-small" type="submit" disabled={create.isPending}>
        {t("account.create")}
      </button>
      <FieldError error={create.error} name="name" />
      <FormError error={create.error} fields={["name"]} />
    </form>
  );
}

/** Dashboard card: the selected account's figures, or a way to open one. */
export function AccountSummary() {
  const t = useT();
  const { accounts, account } = useSelectedAccount();
  return (
    <section className="card" aria-labelledby="account-title">
      <div className="card-head">
        <h2 id="account-title">{t("account.summary")}</h2>
        <AccountSelector />
      </div>
      <QueryState query={accounts} isEmpty={(list) => list.length === 0} empty={<><p>{t("account.none")}</p><CreateAccountForm /></>}>
        {() => (account ? <AccountFigures account={account} /> : null)}
      </QueryState>
    </section>
  );
}
