import { type FormEvent, useState } from "react";
import { useSession } from "../api/session.js";

/** Shown when the server wants a token: it becomes an HttpOnly session cookie. */
export function LoginPage({ error }: { error?: string }) {
  const { signIn } = useSession();
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    await signIn(token.trim());
    setBusy(false);
  }

  return (
    <main className="login">
      <form onSubmit={submit} className="card">
        <h1>weir</h1>
        <p className="muted">
          This server needs an API token. Create one with <code>weir token create</code>.
        </p>
        <label>
          Token
          <input
            name="token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            placeholder="weir_…"
          />
        </label>
        {error && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" disabled={busy || token.trim() === ""}>
          Sign in
        </button>
      </form>
    </main>
  );
}
