import { ApiError } from "../api/client.js";

/** An API failure as the server named it (code and message). */
export function ErrorMessage({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="error" role="alert">
      {code && <code>{code}</code>} {error.message}
    </div>
  );
}
