import { mkdir, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import type { Command } from "commander";
import { parseDuration } from "../../core/duration.js";
import { ConfigError } from "../../core/errors.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { generateAlertRules } from "../../monitoring/alerts/generate-alert-rules.js";
import { ruleUnitTests } from "../../monitoring/alerts/rule-unit-tests.js";
import { loadSuiteFile } from "../../quality/suite-yaml.js";
import { storeExists } from "../cli-home.js";
import { loadCliProject, openCliStore } from "../cli-project.js";

interface GenerateOptions {
  out?: string;
  suite: string[];
  tests?: string;
  qualityScore?: string;
  failureRate?: string;
  stuckAfter?: string;
  streamLag?: string;
  streamStall?: string;
}

/** `weir alerts generate [--out rules.yml]`: Prometheus alert rules from the project's definitions. */
export function registerAlertsCommand(program: Command): void {
  const alerts = program.command("alerts").description("Prometheus alert rules for weir's metrics");
  alerts
    .command("generate")
    .description(
      "write Prometheus alert rules: failure rate, quality score, stuck runs, stream lag, and per pipeline/dataset SLA, run timeout, missed schedule and freshness rules from the definitions",
    )
    .option("--out <file>", "write the rule file here (default: print it)")
    .option(
      "--suite <file>",
      "a suite file whose freshness.maxAge becomes a DatasetStale rule (repeatable)",
      collect,
      [],
    )
    .option("--tests <file>", "also write `promtool test rules` cases for every rule (needs --out)")
    .option("--quality-score <n>", "DataQualityDegraded fires below this score, 0-100 (default 95)")
    .option(
      "--failure-rate <n>",
      "PipelineFailureRate fires above this many failed runs per second (default 0.1)",
    )
    .option(
      "--stuck-after <duration>",
      "PipelineRunStuck: a running run without a heartbeat this long (default 5m)",
    )
    .option(
      "--stream-lag <duration>",
      "StreamWatermarkLag: watermark behind the wall clock this long (default 10m)",
    )
    .option(
      "--stream-stall <duration>",
      "StreamCheckpointStalled: a leased partition without a checkpoint this long (default 5m)",
    )
    .action(async (options: GenerateOptions) => {
      if (options.tests && !options.out)
        throw new ConfigError("--tests needs --out: the tests name the rule file they test");
      const { config, registry } = await loadCliProject();
      const listing = await registry.list();
      for (const failure of listing.failures) {
        process.stderr.write(`warning: skipped ${failure.file}: ${failure.error.message}\n`);
      }
      const suites = await Promise.all(options.suite.map((file) => loadSuiteFile(file)));
      // Freshness limits of suites that already ran come from the store, when there is one.
      const store: MetadataStore | undefined = storeExists(config)
        ? await openCliStore(config, { read: true })
        : undefined;
      try {
        const generated = await generateAlertRules({
          pipelines: listing.pipelines.map((e) => e.pipeline),
          suites,
          ...(store ? { store } : {}),
          limits: {
            ...number(options.qualityScore, "--quality-score", "qualityScore"),
            ...number(options.failureRate, "--failure-rate", "failureRate"),
            ...seconds(options.stuckAfter, "--stuck-after", "stuckHeartbeatSeconds"),
            ...seconds(options.streamLag, "--stream-lag", "streamWatermarkLagSeconds"),
            ...seconds(options.streamStall, "--stream-stall", "streamCheckpointAgeSeconds"),
          },
        });
        for (const name of generated.skippedSuites) {
          process.stderr.write(
            `warning: suite "${name}" has freshness but no dataset: no DatasetStale rule for it\n`,
          );
        }
        if (!options.out) return void process.stdout.write(generated.yaml);
        const out = resolve(options.out);
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, generated.yaml);
        const count = generated.file.groups.reduce((n, g) => n + g.rules.length, 0);
        process.stdout.write(`wrote ${count} alert rules to ${options.out}\n`);
        if (options.tests) {
          const tests = resolve(options.tests);
          await mkdir(dirname(tests), { recursive: true });
          await writeFile(tests, ruleUnitTests(generated.file, relative(dirname(tests), out) || out));
          process.stdout.write(
            `wrote promtool rule tests to ${options.tests} (run: promtool test rules ${options.tests})\n`,
          );
        }
      } finally {
        await store?.close();
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function number(text: string | undefined, flag: string, key: string): Record<string, number> {
  if (text === undefined) return {};
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigError(`${flag} expects a non-negative number, got "${text}"`);
  return { [key]: value };
}

function seconds(text: string | undefined, flag: string, key: string): Record<string, number> {
  return text === undefined ? {} : { [key]: parseDuration(text, flag) / 1000 };
}
