import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { profileDataset } from "../../quality/profile.js";
import { suggestionNotes, suggestSuite, suiteToYaml } from "../../quality/suggest-suite.js";
import { openReadingSession, resolveCheckTarget } from "../check-target.js";
import { loadCliProject } from "../cli-project.js";
import { renderProfile } from "../render-check.js";
import { renderFileRead } from "../render-file-read.js";
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
      // The project's home from any folder. Profiling only reads: a table needs an existing
      // home, and a file (or a table of another database, --engine) without one is read
      // through a scratch home removed afterwards.
      const { config } = await loadCliProject();
      const session = await openReadingSession(targetArg, options.engine, config, "weir-profile-");
      try {
        const resolved = await resolveCheckTarget(targetArg, session);
        const profile = await profileDataset(resolved.engine, resolved.target);
        profile.target = resolved.label;
        if (options.suggest) {
          const suite = suggestSuite(profile, { name: resolved.dataset, dataset: resolved.dataset });
          await writeFile(
            options.suggest,
            suiteToYaml(
              suite,
              [
                `Suggested by weir profile from ${resolved.label} (${profile.rowCount} rows) on ${profile.profiledAt}.`,
                "Every expectation holds on that data, with room for the next batch (ranges widened, mostly where values were missing);",
                "tighten or loosen before relying on it.",
                ...suggestionNotes(profile),
              ].join("\n"),
            ),
          );
        }
        // A file's rows were read by its source first: say what was rejected and how columns were typed.
        const read = resolved.read;
        process.stdout.write(
          options.json
            ? `${JSON.stringify(read ? { ...profile, read } : profile, jsonSafe, 2)}\n`
            : `${read ? `${renderFileRead(read, "profiled")}\n\n` : ""}${renderProfile(profile)}\n`,
        );
        if (options.suggest && !options.json) process.stdout.write(`\nsuggested suite: ${options.suggest}\n`);
      } finally {
        await session.close();
      }
    });
}
