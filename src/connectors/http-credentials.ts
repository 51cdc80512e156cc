import { registerSecretValue } from "../config/secret.js";
import { ConfigError } from "../core/errors.js";

/** Header names that carry credentials, whatever the config calls them "fixed" or not. */
const CREDENTIAL_HEADER = /token|key|secret|password|passwd|signature|auth|cookie|session/i;

/** The credential an HTTP source reads from the environment (its `auth` config). */
export interface HttpAuth {
  env: string;
  header: string;
  scheme?: string | undefined;
}

export interface HttpCredentialsOptions {
  /** The configured endpoint: its origin (scheme, host, port) is trusted with the credentials. */
  url: string;
  /** Other origins trusted with them (`auth.allowedOrigins`); a URL's path is ignored. */
  allowedOrigins?: readonly string[] | undefined;
  /** The fixed request headers; those whose names look like credentials are treated as such. */
  headers: Record<string, string>;
  auth?: HttpAuth | undefined;
  env?: NodeJS.ProcessEnv;
}

/**
 * Decides, request by request, which headers an HTTP source sends. The credential (the
 * `auth` header read from the environment, and any fixed header whose name looks like one:
 * `X-Api-Key`, `Cookie`…) goes only to the configured origin and the allow-listed ones,
 * and never from an https page to an http URL. Everything else goes everywhere. Pagination
 * links and redirects ask again for every hop, so an API that points elsewhere (a CDN, an
 * attacker's host in a `Link` header) gets no credential — as curl does without
 * `--location-trusted`. Every credential is registered as a secret when read, so a server
 * echoing it back in an error body is scrubbed from messages and the metadata store.
 *
 * @example
 * const credentials = new HttpCredentials({ url: config.url, headers: config.headers, auth: config.auth });
 * await fetch(next, { headers: credentials.headersFor(current, next) });
 */
export class HttpCredentials {
  private readonly trusted: Set<string>;
  private readonly plain: Record<string, string> = {};
  private readonly fixedSecrets: Record<string, string> = {};
  private readonly auth: HttpAuth | undefined;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: HttpCredentialsOptions) {
    this.trusted = new Set([new URL(options.url).origin, ...(options.allowedOrigins ?? []).map(originOf)]);
    for (const [name, value] of Object.entries(options.headers)) {
      if (CREDENTIAL_HEADER.test(name)) {
        this.fixedSecrets[name] = value;
        registerSecretValue(`header ${name}`, value);
      } else this.plain[name] = value;
    }
    this.auth = options.auth;
    this.env = options.env ?? process.env;
    // Registered now, not only at the first request: a failure before it may still quote it.
    const value = this.auth ? this.env[this.auth.env] : undefined;
    if (this.auth && value) registerSecretValue(this.auth.env, value);
  }

  /** True when a request for `to`, reached from `from` (a page or a redirecting URL), may carry credentials. */
  trusts(from: URL, to: URL): boolean {
    if (from.protocol === "https:" && to.protocol !== "https:") return false;
    return this.trusted.has(to.origin);
  }

  /** The headers for a request of `to`, reached from `from` (the same URL for a first request). */
  headersFor(from: URL, to: URL): Record<string, string> {
    if (!this.trusts(from, to)) return { ...this.plain };
    return { ...this.plain, ...this.fixedSecrets, ...this.authHeader() };
  }

  /** The auth header, read from the environment at request time (a rotated token is picked up). */
  private authHeader(): Record<string, string> {
    const auth = this.auth;
    if (!auth) return {};
    const value = this.env[auth.env];
    if (value === undefined || value === "") {
      throw new ConfigError(`HTTP source: environment variable ${auth.env} (auth.env) is not set`, {
        details: { env: auth.env },
      });
    }
    registerSecretValue(auth.env, value);
    return { [auth.header]: auth.scheme ? `${auth.scheme} ${value}` : value };
  }
}

function originOf(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
    throw new ConfigError(
      `HTTP source: auth.allowedOrigins: ${JSON.stringify(url)} is not an http(s) origin such as "https://files.example.com"`,
      { details: { allowedOrigin: url } },
    );
  }
  return parsed.origin;
}
