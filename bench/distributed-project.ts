import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./customers-csv.js";

/** Where the bench project's files are. */
export interface DistributedBenchProject {
  dir: string;
  config: string;
  /** The wide pipeline's folder: root → `tasks − 2` independent no-ops → join. */
  wide: string;
  /** The chain pipeline's folder: t0 → t1 → … (one task ready at a time: pickup latency). */
  chain: string;
  /** Every task appends "<run id> <task id> <attempt> <pid>" here: executions, counted outside the store. */
  executions: string;
}

export interface DistributedBenchProjectOptions {
  /** The metadata store (PostgreSQL, `?schema=` the bench's fresh schema). */
  metadataUrl: string;
  /** graphile-worker's schema (fresh too). */
  queueSchema: string;
  /** A PostgreSQL warehouse: never opened per attempt, unlike a DuckDB file (see docs/distributed.md). */
  warehouseUrl: string;
  tasks: number;
  chain: number;
  /** Tasks of a run running (or queued on workers) at once. */
  maxActiveTasks: number;
}

/**
 * Writes a weir project for the bench: `weir.config.ts` (PostgreSQL metadata and warehouse,
 * `executor: "distributed"` for the workers) and the two no-op pipelines. The pipelines
 * import weir from this checkout, as the integration tests' projects do, and each task
 * appends one line to the executions file (a few µs on either executor) so the bench can
 * prove every task ran exactly once without trusting the store it measures.
 */
export function writeDistributedBenchProject(
  dir: string,
  o: DistributedBenchProjectOptions,
): DistributedBenchProject {
  const define = JSON.stringify(join(REPO_ROOT, "src/orchestrator/define-pipeline.ts"));
  const executions = join(dir, "executions.log");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  const config = join(dir, "weir.config.ts");
  writeFileSync(
    config,
    `export default {
  pipelines: ["pipelines"],
  home: "home",
  metadata: ${JSON.stringify(o.metadataUrl)},
  warehouse: ${JSON.stringify(o.warehouseUrl)},
  executor: "distributed",
  distributed: { queueSchema: ${JSON.stringify(o.queueSchema)} },
};
`,
  );
  const header = `import { appendFileSync } from "node:fs";
import { definePipeline, defineTask } from ${define};
const note = async (ctx) => {
  appendFileSync(${JSON.stringify(executions)}, \`\${ctx.runId} \${ctx.taskId} \${ctx.attempt} \${process.pid}\\n\`);
};
`;
  const wide = join(dir, "pipelines", "dist_wide");
  mkdirSync(wide, { recursive: true });
  writeFileSync(
    join(wide, "pipeline.ts"),
    `${header}const middle = Array.from({ length: ${o.tasks - 2} }, (_, i) => \`t\${i}\`);
export default definePipeline({
  id: "dist_wide",
  maxActiveTasks: ${o.maxActiveTasks},
  tasks: [
    defineTask({ id: "root", run: note }),
    ...middle.map((id) => defineTask({ id, dependsOn: ["root"], run: note })),
    defineTask({ id: "join", dependsOn: middle, run: note }),
  ],
});
`,
  );
  const chain = join(dir, "pipelines", "dist_chain");
  mkdirSync(chain, { recursive: true });
  writeFileSync(
    join(chain, "pipeline.ts"),
    `${header}export default definePipeline({
  id: "dist_chain",
  maxActiveTasks: ${o.maxActiveTasks},
  tasks: Array.from({ length: ${o.chain} }, (_, i) =>
    defineTask({ id: \`c\${i}\`, ...(i > 0 ? { dependsOn: [\`c\${i - 1}\`] } : {}), run: note }),
  ),
});
`,
  );
  return { dir, config, wide, chain, executions };
}
