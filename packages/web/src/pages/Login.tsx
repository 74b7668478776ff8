import { type FormEvent, useEffect, useState } from "react";
import { ErrorBanner, Notice } from "../components/ui";
import { ApiError, get, post } from "../lib/api";
import { useSubmission } from "../lib/forms";
import { useSession } from "../lib/session";

type Step =
  | { kind: "password" }
  | { kind: "totp"; challenge: string; setup?: { secret: string; otpauth_url: string } }
  | { kind: "bootstrap" };

/** Sign-in: password, then a TOTP code (enrolling the authenticator on first sign-in). */
export function LoginPage() {
  const { refresh } = useSession();
  const [step, setStep] = useState<Step>({ kind: "password" });
  const attempt = useSubmission<void>();
  const busy = attempt.busy;
  const [notice, setNotice] = useState<string | null>(null);
  // While an account is throttled the password alone is refused: the code goes with it.
  const [codeWithPassword, setCodeWithPassword] = useState(false);

  useEffect(() => {
    get<{ needs_bootstrap: boolean }>("/v1/auth/setup", { noTenant: true })
      .then((r) => r.needs_bootstrap && setStep({ kind: "bootstrap" }))
      .catch(() => {});
  }, []);

  const run = (fn: () => Promise<void>) => attempt.submit(fn);

  function onPassword(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const code = codeWithPassword ? { code: String(form.get("code") ?? "").replace(/\s/g, "") } : {};
    run(async () => {
      try {
        const res = await post(
          "/v1/auth/login",
          { email: form.get("email"), password: form.get("password"), ...code },
          { noTenant: true },
        );
        if (res.status === "signed_in") {
          await refresh();
          return;
        }
        setStep({ kind: "totp", challenge: res.challenge, setup: res.totp });
      } catch (err) {
        if (err instanceof ApiError && err.code === "account_throttled") setCodeWithPassword(true);
        throw err;
      }
    });
  }

  function onCode(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (step.kind !== "totp") return;
    const code = String(new FormData(e.currentTarget).get("code") ?? "").replace(/\s/g, "");
    run(async () => {
      await post("/v1/auth/totp", { challenge: step.challenge, code }, { noTenant: true });
      await refresh();
    });
  }

  function onBootstrap(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    run(async () => {
      await post(
        "/v1/auth/bootstrap",
        {
          admin_token: f.get("admin_token"),
          name: f.get("name"),
          email: f.get("email"),
          password: f.get("password"),
        },
        { noTenant: true },
      );
      setNotice("Owner account created. Sign in to set up two-factor authentication.");
      setStep({ kind: "password" });
    });
  }

  return (
    <main className="login" id="main">
      <div className="login-card">
        <div className="brand login-brand">
          <span className="logo" aria-hidden="true" /> Subtext
        </div>
        {notice && <Notice tone="good">{notice}</Notice>}
        <ErrorBanner error={attempt.error} />
        {step.kind === "password" && (
          <form onSubmit={onPassword} aria-label="Sign in">
            <h1>Sign in</h1>
            <label>
              Email
              <input name="email" type="email" autoComplete="username" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
            {codeWithPassword && <CodeInput />}
            <button className="primary" type="submit" disabled={busy}>
              {busy ? "Checking…" : "Continue"}
            </button>
          </form>
        )}
        {step.kind === "totp" && (
          <form onSubmit={onCode} aria-label="Two-factor code">
            <h1>{step.setup ? "Set up two-factor authentication" : "Two-factor code"}</h1>
            {step.setup && (
              <div className="totp-setup">
                <p>
                  Add this account to your authenticator app (Google Authenticator, 1Password, Authy…): open
                  the link on your phone, or enter the key by hand. Then type the 6-digit code it shows.
                </p>
                <p>
                  Key:{" "}
                  <code data-testid="totp-secret">{step.setup.secret.replace(/(.{4})/g, "$1 ").trim()}</code>
                </p>
                <p>
                  <a href={step.setup.otpauth_url}>Open in authenticator app</a>
                </p>
              </div>
            )}
            <CodeInput />
            <button className="primary" type="submit" disabled={busy}>
              {busy ? "Verifying…" : "Sign in"}
            </button>
            <button type="button" className="link" onClick={() => setStep({ kind: "password" })}>
              Start over
            </button>
          </form>
        )}
        {step.kind === "bootstrap" && (
          <form onSubmit={onBootstrap} aria-label="Create the first owner">
            <h1>Create the first owner</h1>
            <p className="muted">
              No one can sign in yet. Use the admin token printed when the server first started (or
              SUBTEXT_ADMIN_TOKEN).
            </p>
            <label>
              Admin token
              <input name="admin_token" type="password" required autoComplete="off" />
            </label>
            <label>
              Your name
              <input name="name" required autoComplete="name" />
            </label>
            <label>
              Email
              <input name="email" type="email" required autoComplete="username" />
            </label>
            <label>
              Password (at least 10 characters)
              <input name="password" type="password" minLength={10} required autoComplete="new-password" />
            </label>
            <button className="primary" type="submit" disabled={busy}>
              Create owner
            </button>
          </form>
        )}
      </div>
    </main>
  );
}

/** The authenticator's code, sent as `code` (spaces allowed: apps show "123 456"). */
function CodeInput() {
  return (
    <label>
      6-digit code
      <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]{6,7}" required />
    </label>
  );
}
