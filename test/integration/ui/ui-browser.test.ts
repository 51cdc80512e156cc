import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlTokenStore } from "../../../src/server/auth/token-store.js";
import { chromiumAvailable, collectPageErrors, launchChromium } from "../../support/browser.js";
import { ensureArtifactsDir, ensureUiBuilt, startUiServer, type UiServer } from "../../support/ui-server.js";

/**
 * The web UI in a real browser (Debian's chromium via playwright-core) against a real
 * `weir serve` in this process: seeded SQLite metadata, the embedded scheduler executing
 * what the UI triggers, SSE for live updates. Screenshots land in test-artifacts/ui/.
 */
const available = chromiumAvailable();
const VIEWPORT = { width: 1366, height: 768 };

describe.skipIf(!available)("web UI in chromium", () => {
  let server: UiServer;
  let browser: Browser;
  let context: BrowserContext;
  let artifacts: string;

  beforeAll(async () => {
    await ensureUiBuilt();
    artifacts = ensureArtifactsDir();
    server = await startUiServer({ bulkRuns: 10_000 });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: VIEWPORT });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  async function open(page: Page, path: string, ready: string): Promise<void> {
    await page.goto(`${server.url}${path}`);
    await page.locator(ready).first().waitFor({ timeout: 15_000 });
  }

  it("loads every page with its data and no console or page errors (local mode)", async () => {
    const page = await context.newPage();
    const errors = collectPageErrors(page);

    await open(page, "/", 'tr[data-pipeline-id="ui_demo"]');
    await expect(page.getByTestId("principal").textContent()).resolves.toContain("local");
    const nightly = await page.locator('tr[data-pipeline-id="ui_nightly"]').textContent();
    expect(nightly).toContain("0 3 * * *");
    expect(nightly).toContain("paused");
    await expect(page.getByTestId("pause-ui_nightly").textContent()).resolves.toBe("Unpause");
    await page.screenshot({ path: join(artifacts, "pipelines.png") });

    await open(page, "/pipelines/ui_demo", '.graph-node[data-node-id="load"]');
    await expect(page.locator(".graph-node").count()).resolves.toBe(3);
    await expect(page.locator('table[aria-label="recent runs"] tr[data-run-id]').count()).resolves.toBe(1);
    await page.screenshot({ path: join(artifacts, "pipeline.png") });

    // The seeded run: transform failed once, then succeeded on its retry.
    await open(page, `/runs/${server.seededRunId}`, '.graph-node[data-node-id="transform"]');
    await expect(
      page.locator('[data-testid="run-state"] [data-state]').getAttribute("data-state"),
    ).resolves.toBe("succeeded");
    await expect(page.locator(".gantt-bar").count()).resolves.toBe(4);
    await expect(page.locator('.gantt-bar[data-state="failed"]').count()).resolves.toBe(1);
    await page.locator('.graph-node[data-node-id="transform"]').click();
    const panel = page.getByTestId("task-panel");
    await panel.waitFor();
    await expect(panel.locator("tbody tr").count()).resolves.toBe(2);
    await expect(page.getByTestId("attempt-logs").textContent()).resolves.toContain("transform done");
    await panel.getByRole("button", { name: "#1" }).click();
    await expect(panel.getByRole("alert").textContent()).resolves.toContain("transform failed on purpose");
    await expect(page.getByTestId("attempt-logs").textContent()).resolves.toContain("transform started");
    await page.screenshot({ path: join(artifacts, "run.png") });

    await open(page, "/runs", ".vtable-body .vtable-row");
    await page.screenshot({ path: join(artifacts, "runs.png") });

    await open(page, "/datasets", 'a[href="/datasets/fct_sales"]');
    await page.screenshot({ path: join(artifacts, "datasets.png") });

    await open(page, "/datasets/fct_sales", ".trend-point");
    await expect(page.locator(".trend-point").count()).resolves.toBe(5);
    await page.locator(".graph-node.kind-job").first().waitFor();
    const datasetNodes = await page.locator(".graph-node.kind-dataset").count();
    expect(datasetNodes).toBeGreaterThanOrEqual(2); // fct_sales and the lake dataset upstream
    await page.getByTestId("lineage-column").selectOption("total");
    await page.locator(".graph-node.kind-column").first().waitFor();
    await page.screenshot({ path: join(artifacts, "dataset.png"), fullPage: true });

    await open(page, "/quality", 'tr[data-check-id="check-4"]');
    await expect(page.locator('tr[data-check-id="check-4"]').textContent()).resolves.toContain(
      "total_positive",
    );
    await page.screenshot({ path: join(artifacts, "quality.png") });

    await open(page, "/streams", 'a[href="/streams/clicks"]');
    await page.screenshot({ path: join(artifacts, "streams.png") });
    await open(page, "/streams/clicks", 'table[aria-label="partitions"] tbody tr');
    await expect(page.locator('table[aria-label="partitions"] tbody tr').count()).resolves.toBe(2);
    await page.screenshot({ path: join(artifacts, "stream.png") });

    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("shows a run triggered from the UI going queued → running → succeeded live, without a reload", async () => {
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await open(page, "/", 'tr[data-pipeline-id="ui_demo"]');
    // Every state the run page's badge ever shows, recorded on each DOM mutation.
    await page.evaluate(`(() => {
      window.__seenStates = [];
      window.__sameDocument = true;
      const record = () => {
        const badge = document.querySelector('[data-testid="run-state"] [data-state]');
        const state = badge && badge.getAttribute("data-state");
        const seen = window.__seenStates;
        if (state && seen[seen.length - 1] !== state) seen.push(state);
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    })()`);
    await page.getByTestId("trigger-ui_demo").click();
    // The dialog's defaults: no date (the latest complete interval), no params.
    await page.getByTestId("trigger-submit").click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    const runId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop() ?? "");
    await page.locator('[data-testid="run-state"] [data-state="succeeded"]').waitFor({ timeout: 30_000 });

    const seen = (await page.evaluate("window.__seenStates")) as string[];
    expect(seen[0]).toBe("queued");
    expect(seen).toContain("running");
    expect(seen.at(-1)).toBe("succeeded");
    expect(seen.indexOf("running")).toBeLessThan(seen.indexOf("succeeded"));
    await expect(page.evaluate("window.__sameDocument === true")).resolves.toBe(true);
    // The graph followed too: every task is green, and the Gantt has one bar per task.
    await page.locator('.graph-node.state-success[data-node-id="load"]').waitFor({ timeout: 10_000 });
    await expect(page.locator(".graph-node.state-success").count()).resolves.toBe(3);
    await expect(page.locator(".gantt-bar").count()).resolves.toBe(3);
    await page.screenshot({ path: join(artifacts, "run-live.png") });

    const stored = await server.store.runs.get(runId);
    expect(stored?.state).toBe("succeeded");
    expect(stored?.runType).toBe("manual");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("keeps far fewer rows than runs in the DOM and loads the next page on scroll (10k runs)", async () => {
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await open(page, "/runs?pipeline=history", ".vtable-body .vtable-row");
    const count = page.getByTestId("runs-count");
    await expect(count.textContent()).resolves.toBe("200 loaded");
    const rendered = await page.locator(".vtable-body .vtable-row").count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(80);
    // Newest first: the last seeded run heads the list.
    await expect(page.locator('.vtable-row[data-index="0"]').textContent()).resolves.toContain("bulk-009999");

    const scrollToEnd = `(() => { const b = document.querySelector('[data-testid="vtable-body"]'); b.scrollTop = b.scrollHeight; })()`;
    for (let loaded = 200; loaded < 600; loaded += 200) {
      await page.evaluate(scrollToEnd);
      await page.waitForFunction(
        `document.querySelector('[data-testid="runs-count"]').textContent === "${loaded + 200} loaded"`,
        undefined,
        { timeout: 10_000 },
      );
    }
    await page.evaluate(scrollToEnd);
    await page.locator('.vtable-row[data-index="590"]').waitFor();
    await expect(page.locator('.vtable-row[data-index="590"]').textContent()).resolves.toContain(
      "bulk-009409",
    );
    expect(await page.locator(".vtable-body .vtable-row").count()).toBeLessThan(80);

    await page.locator("select").nth(1).selectOption("failed");
    await page.waitForFunction(`[...document.querySelectorAll('.vtable-body [data-state]')].length > 0 &&
      [...document.querySelectorAll('.vtable-body [data-state]')].every((b) => b.getAttribute("data-state") === "failed")`);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("triggers from the dialog with a chosen logical date and params; bad params JSON sends nothing", async () => {
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    const posted: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith("/api/pipelines/ui_demo/runs")) {
        posted.push(request.postData() ?? "");
      }
    });
    const runsBefore = await server.store.runs.count({ pipeline: "ui_demo" });
    await open(page, "/pipelines/ui_demo", '.graph-node[data-node-id="load"]');
    // Local mode is the admin: the Tokens section is in the header.
    await expect(page.locator('.app-header nav a[href="/tokens"]').count()).resolves.toBe(1);

    await page.getByTestId("trigger-ui_demo").click();
    const dialog = page.getByRole("dialog", { name: "Trigger ui_demo" });
    await dialog.waitFor();
    const date = dialog.getByLabel("Logical date");
    const params = dialog.getByLabel("Params (JSON object)");
    await expect(date.getAttribute("type")).resolves.toBe("date");

    // Not JSON, then JSON that is not an object: an error at the field, and no request.
    await params.fill('{"stepMs": 20,');
    await dialog.getByTestId("trigger-submit").click();
    await expect(dialog.getByTestId("params-error").textContent()).resolves.toContain("not valid JSON");
    await expect(params.getAttribute("aria-invalid")).resolves.toBe("true");
    await page.screenshot({ path: join(artifacts, "trigger-dialog.png") });
    await params.fill("[1, 2]");
    await dialog.getByTestId("trigger-submit").click();
    await expect(dialog.getByTestId("params-error").textContent()).resolves.toContain(
      "must be a JSON object",
    );
    expect(posted).toEqual([]);
    expect(await server.store.runs.count({ pipeline: "ui_demo" })).toBe(runsBefore);

    await date.fill("2024-03-15");
    await params.fill('{"stepMs": 20, "note": "from the dialog"}');
    await expect(dialog.getByTestId("params-error").count()).resolves.toBe(0);
    await dialog.getByTestId("trigger-submit").click();
    await dialog.waitFor({ state: "detached" });
    expect(posted.map((body) => JSON.parse(body))).toEqual([
      { logicalDate: "2024-03-15", params: { stepMs: "20", note: "from the dialog" } },
    ]);
    const queued = page.getByTestId("triggered-run");
    await expect(queued.textContent()).resolves.toContain("2024-03-15");
    await page
      .locator('table[aria-label="recent runs"] tr[data-run-id]', { hasText: "2024-03-15" })
      .waitFor();

    await queued.getByRole("link").click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    const runId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop() ?? "");
    await page.locator("h1", { hasText: "2024-03-15" }).waitFor();
    await expect(page.locator("h1").textContent()).resolves.toContain("ui_demo");
    const shownParams = page.getByTestId("run-params");
    await shownParams.waitFor();
    await expect(shownParams.locator('[data-param="note"]').textContent()).resolves.toBe(
      "note=from the dialog",
    );
    await expect(shownParams.locator('[data-param="stepMs"]').textContent()).resolves.toBe("stepMs=20");
    await page.locator('[data-testid="run-state"] [data-state="succeeded"]').waitFor({ timeout: 30_000 });
    const stored = await server.store.runs.get(runId);
    expect(stored?.logicalDate).toBe("2024-03-15");
    expect(stored?.runType).toBe("manual");
    expect(stored?.params).toEqual({ stepMs: "20", note: "from the dialog" });
    // The tasks saw the params: every attempt slept 20 ms, not the default 900 ms.
    const detail = (await (await fetch(`${server.url}/api/runs/${encodeURIComponent(runId)}`)).json()) as {
      tasks: { attempts: { durationMs?: number }[] }[];
    };
    const durations = detail.tasks.flatMap((task) =>
      task.attempts.map((attempt) => attempt.durationMs ?? -1),
    );
    expect(durations).toHaveLength(3);
    for (const duration of durations) expect(duration).toBeGreaterThanOrEqual(0);
    expect(Math.max(...durations)).toBeLessThan(900);

    // The same date again: 409 RUN_CONFLICT in the dialog, with a link to the run that holds it.
    await open(page, "/pipelines/ui_demo", '.graph-node[data-node-id="load"]');
    await page.getByTestId("trigger-ui_demo").click();
    await dialog.getByLabel("Logical date").fill("2024-03-15");
    await dialog.getByTestId("trigger-submit").click();
    await expect(dialog.getByRole("alert").textContent()).resolves.toContain("RUN_CONFLICT");
    await expect(dialog.getByTestId("conflict-run").getAttribute("href")).resolves.toBe(
      `/runs/${encodeURIComponent(runId)}`,
    );
    await dialog.getByTestId("conflict-run").click();
    await page.waitForURL(`**/runs/${encodeURIComponent(runId)}`);
    await expect(page.getByRole("dialog").count()).resolves.toBe(0);
    expect(await server.store.runs.count({ pipeline: "ui_demo" })).toBe(runsBefore + 1);

    // The browser logs the refused request itself; nothing else may be logged.
    expect(errors.filter((error) => !error.includes("status of 409"))).toEqual([]);
    await page.close();
  }, 60_000);

  it("signs a viewer in with a token: Trigger is disabled and a forced POST is refused with 403", async () => {
    const runsBefore = await server.store.runs.count({ pipeline: "ui_demo" });
    // The first token ends local mode: the browser now needs to sign in.
    const { secret } = await new SqlTokenStore(server.store).create("watcher", "viewer", [], "test");
    const viewer = await browser.newContext({ viewport: VIEWPORT });
    const page = await viewer.newPage();
    await page.goto(`${server.url}/`);
    await page.locator('input[name="token"]').waitFor();
    await page.screenshot({ path: join(artifacts, "login.png") });
    await page.locator('input[name="token"]').fill(secret);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('tr[data-pipeline-id="ui_demo"]').waitFor();
    // From here on (the login page's own 401 from GET /api/session is expected) nothing may be logged.
    const errors = collectPageErrors(page);
    await expect(page.locator("[data-role]").getAttribute("data-role")).resolves.toBe("viewer");
    await expect(page.getByTestId("trigger-ui_demo").isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId("pause-ui_demo").isDisabled()).resolves.toBe(true);

    // No Tokens section for a viewer, and /tokens says why without asking the server.
    await expect(page.locator('.app-header nav a[href="/streams"]').count()).resolves.toBe(1);
    await expect(page.locator('.app-header nav a[href="/tokens"]').count()).resolves.toBe(0);
    const tokenRequests: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/tokens")) tokenRequests.push(request.url());
    });
    await open(page, "/tokens", '[data-testid="needs-admin"]');
    await expect(page.getByTestId("needs-admin").textContent()).resolves.toContain("needs the admin role");
    expect(tokenRequests).toEqual([]);
    expect(errors).toEqual([]);

    // What the button would send, sent anyway with the viewer's cookie and CSRF header.
    const forced = (await page.evaluate(`(async () => {
      const csrf = document.cookie.split("; ").find((c) => c.startsWith("weir_csrf="))?.slice("weir_csrf=".length);
      const response = await fetch("/api/pipelines/ui_demo/runs", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": decodeURIComponent(csrf ?? "") },
        body: "{}",
      });
      return { status: response.status, body: await response.json(), hadCsrf: Boolean(csrf) };
    })()`)) as { status: number; body: { error?: { code?: string } }; hadCsrf: boolean };
    expect(forced.hadCsrf).toBe(true);
    expect(forced.status).toBe(403);
    expect(forced.body.error?.code).toBeTruthy();
    expect(await server.store.runs.count({ pipeline: "ui_demo" })).toBe(runsBefore);
    await viewer.close();
  }, 60_000);
  it("creates an operator token on the Tokens page whose secret works as a Bearer token until revoked", async () => {
    // Local mode ended with the viewer's token: an admin signs in with one.
    const { secret: adminSecret } = await new SqlTokenStore(server.store).create("root", "admin", [], "test");
    const admin = await browser.newContext({ viewport: VIEWPORT });
    await admin.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const page = await admin.newPage();
    await page.goto(`${server.url}/tokens`);
    await page.locator('input[name="token"]').fill(adminSecret);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('tr[data-token-name="root"]').waitFor();
    const errors = collectPageErrors(page);
    await expect(page.locator('.app-header nav a[href="/tokens"]').count()).resolves.toBe(1);
    await expect(page.locator('tr[data-token-name="watcher"]').textContent()).resolves.toContain("viewer");

    const form = page.getByRole("form", { name: "create a token" });
    await form.getByLabel("Name").fill("robot");
    await form.getByLabel("Role").selectOption("operator");
    await form.getByLabel("detokenize grant").check();
    await form.getByRole("button", { name: "Create token" }).click();
    const created = page.getByTestId("created-token");
    await created.waitFor();
    await expect(created.getByRole("alert").textContent()).resolves.toContain("shown only once");
    const secret = await created.getByLabel("Token").inputValue();
    expect(secret).toMatch(/^weir_[A-Za-z0-9_-]{20,}$/);
    await created.getByRole("button", { name: "Copy" }).click();
    await created.getByRole("status").waitFor();
    await expect(page.evaluate("navigator.clipboard.readText()")).resolves.toBe(secret);
    const row = page.locator('tr[data-token-name="robot"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain("detokenize");
    await page.screenshot({ path: join(artifacts, "tokens.png") });

    // The secret from the page authenticates a script (Node's fetch, no cookie).
    const asRobot = (path: string) =>
      fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${secret}` } });
    const session = await asRobot("/api/session");
    expect(session.status).toBe(200);
    const { principal } = (await session.json()) as {
      principal: { name: string; role: string; grants: string[] };
    };
    expect(principal).toMatchObject({ name: "robot", role: "operator", grants: ["detokenize"] });
    expect((await asRobot("/api/runs?limit=1")).status).toBe(200);

    await created.getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId("created-token").count()).resolves.toBe(0);
    await row.getByRole("button", { name: "Revoke" }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke token robot?" });
    await confirm.waitFor();
    await confirm.getByRole("button", { name: "Revoke robot" }).click();
    await page.locator('tr[data-token-name="robot"][data-revoked="true"]').waitFor();
    await expect(page.locator('tr[data-token-name="root"]').getAttribute("data-revoked")).resolves.toBe(
      "false",
    );
    expect((await asRobot("/api/session")).status).toBe(401);
    expect((await asRobot("/api/runs?limit=1")).status).toBe(401);
    const stored = (await new SqlTokenStore(server.store).list()).find((token) => token.name === "robot");
    expect(stored?.revokedAt).toBeTruthy();

    expect(errors).toEqual([]);
    await admin.close();
  }, 60_000);
});
