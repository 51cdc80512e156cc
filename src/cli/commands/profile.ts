import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { profileDataset } from "../../quality/profile.js";
import { suggestSuite, suiteToYaml } from "../../quality/suggest-suite.js";
import { openCheckSession, resolveCheckTarget } from "../check-target.js";
import { renderProfile } from "../render-check.js";
import { jsonSafe } from "../report-error.js";

/** `weir profile <dataset|file> [--json] [--suggest suite.yaml] [--engine url]`. */
export function registerProfileCommand(program: Command): void {
  program
    .command("profile")
    .description("per-column statistics of a table, lake dataset or file, and optionally a suggested suite")
    .argument(
      "<target>",
      "a warehouse table, a lake dataset (lake.raw.customers) or a CSV/Parquet/NDJSON file",
    )
    .option("--json", "print the profile as JSON")
    .option("--suggest <file>", "write a suggested suite (YAML) that passes on this data")
    .option("--engine <url>", "profile on this engine instead of the home's warehouse")
    .action(async (targetArg: string, options: { json?: boolean; suggest?: string; engine?: string }) => {
      const session = await openCheckSession(options.engine);
      try {
        const resolved = await resolveCheckTarget(targetArg, session);
        const profile = await profileDataset(session.engine, resolved.target);
        profile.target = resolved.label;
        if (options.suggest) {
          const suite = suggestSuite(profile, { name: resolved.dataset, dataset: resolved.dataset });
          await writeFile(
            options.suggest,
            suiteToYaml(
              suite,
              `Suggested by weir profile from ${resolved.label} (${profile.rowCount} rows) on ${profile.profiledAt}.\nEvery expectation holds on that data; tighten or loosen before relying on it.`,
            ),
          );
        }
        process.stdout.write(
          options.json ? `${JSON.stringify(profile, jsonSafe, 2)}\n` : `${renderProfile(profile)}\n`,
        );
        if (options.suggest && !options.json) process.stdout.write(`\nsuggested suite: ${options.suggest}\n`);
      } finally {
        await session.close();
      }
    });
}
