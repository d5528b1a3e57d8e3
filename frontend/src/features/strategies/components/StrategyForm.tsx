import { type FormEvent, useState } from "react";

import { FieldError, FormError } from "@/components/FieldError";
import { seoulDay } from "@/lib/format";
import { useT } from "@/lib/i18n";
import type { Algorithm } from "@/types/models";

import { useCreateStrategy } from "../api/strategies";
import type { WalkForwardTraining } from "../types";

const ALGORITHMS: Algorithm[] = ["PPO", "A2C", "DDPG", "TD3", "SAC"];
/** Default periods relative to today (Seoul): ~3 years of history, the last year held out for testing. */
function defaultPeriods(today = new Date()) {
  const day = (offset: number) => seoulDay(new Date(today.getTime() - offset * 86_400_000));
  return { train_start: day(1000), train_end: day(366), test_start: day(365), test_end: day(1) };
}

const FIELDS = [
  "hyperparameters",
  "name",
  "algorithm",
  "symbols",
  "train_start",
  "train_end",
  "validation_start",
  "validation_end",
  "test_start",
  "test_end",
  "initial_cash",
  "execution",
  "walk_forward_months",
  "walk_forward_training",
];

export function StrategyForm() {
  const t = useT();
  const create = useCreateStrategy();
  const [form, setForm] = useState({
    name: "",
    algorithm: "PPO" as Algorithm,
    symbols: "005930, 000660",
    ...defaultPeriods(),
    initial_cash: "10000000",
    total_timesteps: "20000",
    validation_start: "",
    validation_end: "",
    execution: "open" as "open" | "close",
    walk_forward_months: "",
    walk_forward_training: "rolling" as WalkForwardTraining,
  });
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value }));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const { total_timesteps: _steps, validation_start, validation_end, walk_forward_months, ...fields } = form;
    const months = Number(walk_forward_months.replace(/[^0-9]/g, ""));
    create.mutate(
      {
        ...fields,
        validation_start: validation_start || null,
        validation_end: validation_end || null,
        walk_forward_months: months > 0 ? months : null,
        symbols: form.symbols
          .split(/[,\s]+/)
          .map((s) => s.trim())
          .filter(Boolean),
        initial_cash: Number(form.initial_cash.replace(/[^0-9]/g, "")),
        seed: 0,
        use_turbulence: false,
        hyperparameters: { total_timesteps: Number(form.total_timesteps.replace(/[^0-9]/g, "")) || 20_000 },
      },
      { onSuccess: () => setForm((f) => ({ ...f, name: "" })) },
    );
  };
  return (
    <form className="card strategy-form" onSubmit={onSubmit} aria-label={t("strategy.create")}>
      <h2>{t("strategy.create")}</h2>
      <div className="form-grid">
        <label>
          {t("strategy.name")}
          <input name="name" value={form.name} onChange={set("name")} required />
          <FieldError error={create.error} name="name" />
        </label>
        <label>
          {t("strategy.algorithm")}
          <select name="algorithm" value={form.algorithm} onChange={set("algorithm")}>
            {ALGORITHMS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
          <FieldError error={create.error} name="algorithm" />
        </label>
        <label>
          {t("strategy.symbols")}
          <input name="symbols" value={form.symbols} onChange={set("symbols")} />
          <FieldError error={create.error} name="symbols" />
        </label>
        <label>
          {t("strategy.initialCash")}
          <input name="initial_cash" inputMode="numeric" value={form.initial_cash} onChange={set("initial_cash")} />
          <FieldError error={create.error} name="initial_cash" />
        </label>
        <label>
          {t("strategy.timesteps")}
          <input name="total_timesteps" inputMode="numeric" value={form.total_timesteps} onChange={set("total_timesteps")} />
          <FieldError error={create.error} name="hyperparameters" />
        </label>
        <label>
          {t("strategy.execution")}
          <select name="execution" value={form.execution} onChange={set("execution")}>
            <option value="open">{t("strategy.executionOpen")}</option>
            <option value="close">{t("strategy.executionClose")}</option>
          </select>
          <FieldError error={create.error} name="execution" />
        </label>
        <fieldset>
          <legend>{t("strategy.trainPeriod")}</legend>
          <input type="date" name="train_start" value={form.train_start} onChange={set("train_start")} />
          <input type="date" name="train_end" value={form.train_end} onChange={set("train_end")} />
          <FieldError error={create.error} name="train_start" />
          <FieldError error={create.error} name="train_end" />
        </fieldset>
        <fieldset>
          <legend>{t("strategy.validationPeriod")}</legend>
          <input type="date" name="validation_start" value={form.validation_start} onChange={set("validation_start")} />
          <input type="date" name="validation_end" value={form.validation_end} onChange={set("validation_end")} />
          <small className="muted">{t("strategy.validationHint")}</small>
          <FieldError error={create.error} name="validation_start" />
          <FieldError error={create.error} name="validation_end" />
        </fieldset>
        <fieldset>
          <legend>{t("walkForward.title")}</legend>
          <label>
            {t("walkForward.months")}
            <input name="walk_forward_months" inputMode="numeric" value={form.walk_forward_months} onChange={set("walk_forward_months")} />
          </label>
          <label>
            {t("walkForward.training")}
            <select name="walk_forward_training" value={form.walk_forward_training} onChange={set("walk_forward_training")}>
              <option value="rolling">{t("walkForward.rolling")}</option>
              <option value="expanding">{t("walkForward.expanding")}</option>
            </select>
          </label>
          <small className="muted">{t("walkForward.hint")}</small>
          <FieldError error={create.error} name="walk_forward_months" />
          <FieldError error={create.error} name="walk_forward_training" />
        </fieldset>
        <fieldset>
          <legend>{t("strategy.testPeriod")}</legend>
          <input type="date" name="test_start" value={form.test_start} onChange={set("test_start")} />
          <input type="date" name="test_end" value={form.test_end} onChange={set("test_end")} />
          <FieldError error={create.error} name="test_start" />
          <FieldError error={create.error} name="test_end" />
        </fieldset>
      </div>
      <FormError error={create.error} fields={FIELDS} />
      <button type="submit" className="btn btn-primary" disabled={create.isPending}>
        {t("strategy.create")}
      </button>
    </form>
  );
}
