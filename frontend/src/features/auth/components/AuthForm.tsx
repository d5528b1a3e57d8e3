import { type FormEvent, useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";

import { FieldError, FormError } from "@/components/FieldError";
import { useT } from "@/lib/i18n";

import { useLogin, useRegister } from "../api/auth";

export function AuthForm({ mode }: { mode: "login" | "register" }) {
  const t = useT();
  const navigate = useNavigate();
  const location = useLocation();
  const loginMutation = useLogin();
  const registerMutation = useRegister();
  const mutation = mode === "login" ? loginMutation : registerMutation;
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [email, setEmail] = useState("");

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const input = mode === "login" ? { username, password } : { username, password, email };
    mutation.mutate(input, {
      onSuccess: () => {
        const from = (location.state as { from?: string } | null)?.from;
        navigate(from && from !== "/login" && from !== "/register" ? from : "/", { replace: true });
      },
    });
  };

  const fields = ["username", "password", "email"];
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={onSubmit} aria-label={t(mode === "login" ? "auth.login" : "auth.register")}>
        <h1 className="brand">{t("app.name")}</h1>
        <h2>{t(mode === "login" ? "auth.login" : "auth.register")}</h2>
        <label>
          {t("auth.username")}
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
          <FieldError error={mutation.error} name="username" />
        </label>
        <label>
          {t("auth.password")}
          <input
            name="password"
            type="password"
            autoComplete={mode === "login" ? "current-password" : "new-password"}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
          <FieldError error={mutation.error} name="password" />
        </label>
        {mode === "register" && (
          <label>
            {t("auth.email")}
            <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
            <FieldError error={mutation.error} name="email" />
          </label>
        )}
        <FormError error={mutation.error} fields={fields} />
        <button className="btn btn-primary" type="submit" disabled={mutation.isPending}>
          {t(mode === "login" ? "auth.login" : "auth.register")}
        </button>
        {mode === "login" ? (
          <p className="muted">
            {t("auth.noAccount")} <Link to="/register">{t("auth.register")}</Link>
            <br />
            {t("auth.demoHint")}
          </p>
        ) : (
          <p className="muted">
            {t("auth.haveAccount")} <Link to="/login">{t("auth.login")}</Link>
          </p>
        )}
      </form>
    </div>
  );
}
