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
    await expect(page.locator("[data-role]").getAttribute("data-role")).resolves.toBe("viewer");
    await expect(page.getByTestId("trigger-ui_demo").isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId("pause-ui_demo").isDisabled()).resolves.toBe(true);

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
});
