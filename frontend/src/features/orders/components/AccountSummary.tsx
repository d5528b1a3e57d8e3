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
import { cashFigures, roundedPercent } from "../portfolio";
import { usePortfolioText } from "../portfolioText";

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

/**
 * The account's figures as a broker's 잔고 screen heads them: 총평가, the cash lines (예수금, D+1, D+2,
 * 주문가능금액), then 매입금액 / 평가금액 / 평가손익 — the sums of the holdings rows, from the same live
 * marks (useLiveAccount) — and 실현손익, 총손익 (= 실현 + 평가), 수익률.
 */
export function AccountFigures({ account }: { account: Account }) {
  const t = useT();
  const p = usePortfolioText();
  const { figures } = useLiveAccount(account);
  return (
    <dl className="figures" data-testid="account-summary" data-account-id={account.id}>
      <div className="figure-lead">
        <dt>{t("account.equity")}</dt>
        <dd className="num big" data-testid="summary-equity" data-value={figures.equity}>
          {formatWon(figures.equity)}
        </dd>
      </div>
      {cashFigures(account).map((figure) => (
        <div key={figure.testId}>
          <dt>{t(figure.label)}</dt>
          <dd className="num" data-testid={figure.testId} data-value={figure.value}>
            {formatWon(figure.value)}
          </dd>
        </div>
      ))}
      <div>
        <dt>{p("summary.cost")}</dt>
        <dd className="num" data-testid="summary-cost" data-value={figures.cost}>
          {formatWon(figures.cost)}
        </dd>
      </div>
      <div>
        <dt>{t("account.marketValue")}</dt>
        <dd className="num" data-testid="summary-market-value" data-value={figures.marketValue}>
          {formatWon(figures.marketValue)}
        </dd>
      </div>
      <div>
        <dt>{p("summary.unrealized")}</dt>
        <dd data-testid="summary-unrealized" data-value={figures.unrealized}>
          <Signed value={figures.unrealized} />
        </dd>
      </div>
      <div>
        <dt>{p("summary.realized")}</dt>
        <dd data-testid="summary-realized" data-value={figures.realized}>
          <Signed value={figures.realized} />
        </dd>
      </div>
      <div>
        <dt>{t("account.pnl")}</dt>
        <dd data-testid="summary-pnl" data-value={figures.totalPnl}>
          <Signed value={figures.totalPnl} />
        </dd>
      </div>
      <div>
        <dt>{t("account.return")}</dt>
        <dd data-testid="summary-return" data-value={figures.returnRate}>
          <Signed value={roundedPercent(figures.returnRate)} percent />
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
