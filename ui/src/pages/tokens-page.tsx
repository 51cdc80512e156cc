import { type FormEvent, useId, useRef, useState } from "react";
import { api, segment } from "../api/client.js";
import { hasRole, usePrincipal, useSession } from "../api/session.js";
import type { Role, TokenRecord } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { ErrorMessage } from "../components/error-message.js";
import { Loading } from "../components/loading.js";
import { Modal } from "../components/modal.js";
import { formatRelative, formatTime } from "../format.js";

const ROLES: Role[] = ["viewer", "operator", "admin"];

interface Created {
  secret: string;
  record: TokenRecord;
  /** Created while the server was in local mode: this browser is now signed out. */
  endedLocalMode: boolean;
}

/**
 * API tokens (admin only): the list, create (the secret shown once) and revoke. Below
 * admin the page says so and asks the server nothing (it would answer 403).
 */
export function TokensPage() {
  const principal = usePrincipal();
  if (!hasRole(principal, "admin")) {
    return (
      <section>
        <h1>API tokens</h1>
        <div className="notice" role="alert" data-testid="needs-admin">
          Managing API tokens needs the admin role. You are signed in as <strong>{principal.name}</strong>{" "}
          with the <strong>{principal.role}</strong> role.
        </div>
      </section>
    );
  }
  return <TokenAdmin local={principal.local} ownTokenId={principal.tokenId} />;
}

function TokenAdmin({ local, ownTokenId }: { local: boolean; ownTokenId: string | null }) {
  const { data, error, reload } = useApi<{ items: TokenRecord[] }>("/api/tokens");
  const [created, setCreated] = useState<Created>();
  const [revoking, setRevoking] = useState<TokenRecord>();

  return (
    <section>
      <h1>API tokens</h1>
      <p className="muted">
        Scripts send a token as <code>Authorization: Bearer weir_…</code>; people sign in with one. The server
        keeps only a hash: a lost token is revoked and replaced.
      </p>
      {created ? (
        <CreatedSecret created={created} onDone={() => setCreated(undefined)} />
      ) : (
        <CreateTokenForm
          local={local}
          onCreated={(secret, record) => {
            setCreated({ secret, record, endedLocalMode: local });
            // The first token ends local mode: this browser has no session to list with.
            if (!local) reload();
          }}
        />
      )}
      <h2>Tokens</h2>
      <ErrorMessage error={error} />
      {!data && !error && <Loading what="tokens" />}
      {data && data.items.length === 0 && (
        <p className="muted">No tokens yet: the server is in local mode.</p>
      )}
      {data && data.items.length > 0 && (
        <table className="table" aria-label="tokens">
          <thead>
            <tr>
              <th>name</th>
              <th>role</th>
              <th>grants</th>
              <th>created</th>
              <th>last used</th>
              <th>status</th>
              <th aria-label="actions" />
            </tr>
          </thead>
          <tbody>
            {data.items.map((token) => (
              <tr
                key={token.id}
                data-token-name={token.name}
                data-revoked={token.revokedAt ? "true" : "false"}
              >
                <td>
                  <strong>{token.name}</strong>
                  {token.id === ownTokenId && <span className="muted"> (you)</span>}
                  <div className="muted small">
                    <code>{token.id}</code>
                  </div>
                </td>
                <td>
                  <span className={`badge role-badge role-${token.role}`}>{token.role}</span>
                </td>
                <td>
                  {token.grants.length > 0 ? token.grants.join(", ") : <span className="muted">—</span>}
                </td>
                <td title={formatTime(token.createdAt)}>
                  {formatRelative(token.createdAt)}
                  {token.createdBy && <div className="muted small">by {token.createdBy}</div>}
                </td>
                <td title={formatTime(token.lastUsedAt)}>
                  {token.lastUsedAt ? formatRelative(token.lastUsedAt) : <span className="muted">never</span>}
                </td>
                <td>
                  {token.revokedAt ? (
                    <span className="badge state-failed" title={formatTime(token.revokedAt)}>
                      revoked {formatRelative(token.revokedAt)}
                    </span>
                  ) : (
                    <span className="badge state-succeeded">live</span>
                  )}
                </td>
                <td>
                  {!token.revokedAt && (
                    <button type="button" className="secondary danger" onClick={() => setRevoking(token)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoking && (
        <RevokeDialog
          token={revoking}
          own={revoking.id === ownTokenId}
          onClose={() => setRevoking(undefined)}
          onRevoked={() => {
            setRevoking(undefined);
            reload();
          }}
        />
      )}
    </section>
  );
}

function CreateTokenForm({
  local,
  onCreated,
}: {
  local: boolean;
  onCreated: (secret: string, record: TokenRecord) => void;
}) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [detokenize, setDetokenize] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const ids = { name: useId(), role: useId(), detokenize: useId() };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api<{ token: string; record: TokenRecord }>("/api/tokens", {
        method: "POST",
        body: { name: name.trim(), role, grants: detokenize ? ["detokenize"] : [] },
      });
      onCreated(answer.token, answer.record);
    } catch (cause) {
      setError(cause instanceof Error ? cause : new Error(String(cause)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card token-form" onSubmit={submit} aria-label="create a token">
      <h2>Create a token</h2>
      {local && (
        <p className="notice" data-testid="local-mode-warning">
          The server is in local mode. The first token ends it: from then on every request needs a token, this
          browser's too. Create an admin token first and sign in with it.
        </p>
      )}
      <div className="form-row">
        <label htmlFor={ids.name}>Name</label>
        <input
          id={ids.name}
          name="name"
          required
          pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}"
          title="letters, digits, '.', '_' or '-', up to 64"
          placeholder="ci"
          autoComplete="off"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <label htmlFor={ids.role}>Role</label>
        <select
          id={ids.role}
          name="role"
          value={role}
          onChange={(event) => setRole(event.target.value as Role)}
        >
          {ROLES.map((item) => (
            <option key={item} value={item}>
              {item}
            </option>
          ))}
        </select>
        <label className="checkbox" htmlFor={ids.detokenize}>
          <input
            id={ids.detokenize}
            name="detokenize"
            type="checkbox"
            checked={detokenize}
            onChange={(event) => setDetokenize(event.target.checked)}
          />
          detokenize grant
        </label>
        <button type="submit" disabled={busy || name.trim() === ""}>
          Create token
        </button>
      </div>
      <p className="hint">
        viewer: reads; operator: also trigger, backfill, retry, pause; admin: also tokens and grants. The
        detokenize grant lets the token read tokenized values.
      </p>
      <ErrorMessage error={error} />
    </form>
  );
}

/** The new token's secret: shown this once, with a copy button and a warning. */
function CreatedSecret({ created, onDone }: { created: Created; onDone: () => void }) {
  const { signIn } = useSession();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string>();
  const secretId = useId();

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied("Copied.");
    } catch {
      input.current?.select();
      setCopied("Selected: press Ctrl+C (the browser refused clipboard access).");
    }
  }

  return (
    <div className="card created-secret" data-testid="created-token">
      <h2>
        Token <code>{created.record.name}</code> created ({created.record.role})
      </h2>
      <p className="warning" role="alert">
        Copy this token now. It is shown only once: weir keeps just its hash and cannot show it again.
      </p>
      <div className="form-row">
        <label htmlFor={secretId}>Token</label>
        <input
          ref={input}
          id={secretId}
          name="secret"
          className="secret"
          readOnly
          value={created.secret}
          onFocus={(event) => event.target.select()}
        />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Done
        </button>
      </div>
      {copied && (
        <p className="muted small" role="status">
          {copied}
        </p>
      )}
      {created.endedLocalMode && (
        <p className="notice">
          Local mode has ended: this browser needs a token now.{" "}
          <button type="button" className="link-button" onClick={() => void signIn(created.secret)}>
            Sign in with this token
          </button>
        </p>
      )}
    </div>
  );
}

function RevokeDialog({
  token,
  own,
  onClose,
  onRevoked,
}: {
  token: TokenRecord;
  own: boolean;
  onClose: () => void;
  onRevoked: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  async function revoke() {
    setBusy(true);
    setError(undefined);
    try {
      await api(`/api/tokens/${segment(token.id)}`, { method: "DELETE" });
      onRevoked();
    } catch (cause) {
      setError(cause instanceof Error ? cause : new Error(String(cause)));
      setBusy(false);
    }
  }

  return (
    <Modal title={`Revoke token ${token.name}?`} onClose={onClose} testId="revoke-dialog">
      <p>
        Scripts and browser sessions using <strong>{token.name}</strong> ({token.role}) are refused with 401
        from now on. A revoked token cannot be brought back; create a new one instead.
      </p>
      {own && (
        <p className="warning">This is the token you are signed in with: this browser is signed out too.</p>
      )}
      <ErrorMessage error={error} />
      <div className="dialog-buttons">
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void revoke()}>
          Revoke {token.name}
        </button>
      </div>
    </Modal>
  );
}
