const SECRET_PARAM = /token|key|secret|password|passwd|signature|auth/i;

/**
 * The URL with the values of secret-looking query parameters (token, key, secret,
 * password…) and its user info replaced by `***`, for messages, rejections and lineage.
 *
 * @example
 * redactUrl("https://api.example.com/x?api_key=abc&page=2") // "https://api.example.com/x?api_key=***&page=2"
 */
export function redactUrl(url: string | URL): string {
  const u = new URL(String(url));
  if (u.username || u.password) {
    u.username = u.username ? "***" : "";
    u.password = u.password ? "***" : "";
  }
  for (const name of [...u.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) u.searchParams.set(name, "***");
  }
  return u.toString().replaceAll("%2A%2A%2A", "***");
}
