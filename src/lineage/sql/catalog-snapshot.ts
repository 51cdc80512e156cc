import { datasetKey } from "./field-set.js";
import { baseTableDataset, filePaths } from "./from-datasets.js";
import { FILE_READERS } from "./function-kinds.js";
import type { ColumnCatalog, DatasetName, SyncColumnCatalog } from "./lineage-types.js";
import { child, children, functionName, isNode } from "./sql-ast.js";

/**
 * Asks a (possibly asynchronous) catalog, all at once, for the columns of every table and
 * file an AST names, so the lineage walk itself stays synchronous. CTE names are asked too
 * (the walk decides what they are); a catalog that throws answers "unknown".
 */
export async function snapshotCatalog(
  catalog: ColumnCatalog,
  ast: unknown,
  extra: readonly DatasetName[] = [],
): Promise<SyncColumnCatalog> {
  const datasets = new Map<string, DatasetName>();
  for (const dataset of [...datasetsIn(ast), ...extra]) datasets.set(datasetKey(dataset), dataset);
  const answers = new Map<string, readonly string[] | undefined>();
  await Promise.all(
    [...datasets].map(async ([key, dataset]) => {
      try {
        const columns = await catalog.columnsOf(dataset);
        answers.set(key, Array.isArray(columns) ? [...columns] : undefined);
      } catch {
        answers.set(key, undefined);
      }
    }),
  );
  return { columnsOf: (dataset) => answers.get(datasetKey(dataset)) };
}

/** Every base table and literal file path named anywhere in an AST. */
export function datasetsIn(ast: unknown): DatasetName[] {
  const found: DatasetName[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isNode(value)) return;
    if (value.type === "BASE_TABLE") found.push(baseTableDataset(value));
    if (value.type === "TABLE_FUNCTION") {
      const fn = child(value, "function");
      if (fn && FILE_READERS.has(functionName(fn))) {
        for (const file of filePaths(children(fn, "children")[0])) found.push({ file });
      }
    }
    for (const nested of Object.values(value)) {
      if (typeof nested === "object" && nested !== null) visit(nested);
    }
  };
  visit(ast);
  return found;
}
