import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's chromium (`.ci/run` installs it); `WEIR_TEST_CHROMIUM` points elsewhere. */
export const CHROMIUM_PATH = process.env.WEIR_TEST_CHROMIUM ?? "/usr/bin/chromium";

/**
 * True when the browser exists. Otherwise fails in CI and returns false (after printing the
 * reason) elsewhere, for `describe.skipIf(!available)`, as `serverAvailable` does.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const reason = `chromium is not installed at ${CHROMIUM_PATH}`;
  if (process.env.CI === "true") throw new Error(`${reason}; CI=true requires it (see .ci/run)`);
  console.warn(`skipping browser tests: ${reason}`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Console errors and uncaught page errors, collected from the moment a page opens. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`page: ${error.message}`));
  return errors;
}
