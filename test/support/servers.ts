import net from "node:net";

/**
 * Integration tests read server URLs from the environment with these defaults. With
 * CI=true a server that cannot be reached fails the run; elsewhere the tests skip and
 * say why.
 */
export const POSTGRES_URL = process.env.WEIR_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const NATS_URL = process.env.WEIR_TEST_NATS_URL ?? "nats://127.0.0.1:4222";

const inCi = process.env.CI === "true";

async function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port), timeout: 1500 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Resolves to true when the server answers. Otherwise fails in CI and returns false
 * (after printing the reason) elsewhere, for `describe.skipIf(!available)`.
 */
export async function serverAvailable(name: string, url: string): Promise<boolean> {
  if (await reachable(url)) return true;
  const reason = `${name} is not reachable at ${new URL(url).host}`;
  if (inCi) throw new Error(`${reason}; CI=true requires it (see .ci/run)`);
  console.warn(`skipping ${name} tests: ${reason}`);
  return false;
}

export const postgresAvailable = await serverAvailable("PostgreSQL", POSTGRES_URL);
export const natsAvailable = await serverAvailable("NATS", NATS_URL);
