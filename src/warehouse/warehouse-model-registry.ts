import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { messageOf } from "../core/errors.js";
import { importUserModule } from "../orchestrator/load-pipeline.js";
import type { WarehouseModel } from "./model/define-warehouse.js";
import { ModelError } from "./model/model-error.js";

const MODEL_FILE = /\.warehouse\.(ts|mts|js|mjs)$/;

export interface WarehouseModelEntry {
  name: string;
  file: string;
  model: WarehouseModel;
}

/**
 * A `defineWarehouse(...)` result. Checked by shape, not class: a model file imports weir
 * through its own module copy.
 */
export function isWarehouseModel(value: unknown): value is WarehouseModel {
  const v = value as Partial<WarehouseModel> | undefined;
  return v !== null && typeof v === "object" && v.kind === "warehouse" && Array.isArray(v.tables);
}

/** `<dir>/warehouse.ts` for a folder, the path itself for a file. */
function modelFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  if (statSync(path).isDirectory())
    return existsSync(join(path, "warehouse.ts")) ? join(path, "warehouse.ts") : undefined;
  return path;
}

/** Loads one model file (tsx, no build step): its default export or `warehouse` must be a `defineWarehouse(...)` result. */
export async function loadWarehouseModel(pathOrDir: string): Promise<WarehouseModelEntry> {
  const file = modelFile(resolve(pathOrDir));
  if (!file) {
    throw new ModelError(
      `no warehouse model at ${resolve(pathOrDir)}: expected a file or a folder with warehouse.ts`,
      { path: pathOrDir },
    );
  }
  let module: Record<string, unknown>;
  try {
    module = await importUserModule(file);
  } catch (cause) {
    // A model that throws while being defined (a ModelError) keeps its own message.
    throw new ModelError(`cannot load warehouse model file ${file}: ${messageOf(cause)}`, { file });
  }
  const model = isWarehouseModel(module.default) ? module.default : module.warehouse;
  if (!isWarehouseModel(model)) {
    throw new ModelError(
      `${file} does not export a warehouse model: expected \`export default defineWarehouse({...})\``,
      { file },
    );
  }
  return { name: model.name, file, model };
}

/** The model files under the configured locations: files, folders with warehouse.ts, folders of them. */
export function warehouseModelFiles(locations: readonly string[]): string[] {
  const files = new Set<string>();
  for (const location of locations) {
    if (!existsSync(location)) continue;
    const direct = modelFile(location);
    if (direct) {
      files.add(direct);
      continue;
    }
    for (const entry of readdirSync(location, { withFileTypes: true })) {
      const path = join(location, entry.name);
      if (entry.isDirectory() && existsSync(join(path, "warehouse.ts")))
        files.add(join(path, "warehouse.ts"));
      else if (entry.isFile() && MODEL_FILE.test(entry.name)) files.add(path);
    }
  }
  return [...files].sort();
}

/**
 * The models to work on: the one named `name` (a model name among the configured
 * locations, else a path), or every configured one. Two models of one name are an error.
 */
export async function findWarehouseModels(
  locations: readonly string[],
  name?: string,
): Promise<WarehouseModelEntry[]> {
  const entries: WarehouseModelEntry[] = [];
  for (const file of warehouseModelFiles(locations)) entries.push(await loadWarehouseModel(file));
  const seen = new Map<string, string>();
  for (const e of entries) {
    const other = seen.get(e.name);
    if (other) throw new ModelError(`warehouse model ${e.name} is defined twice: ${other} and ${e.file}`);
    seen.set(e.name, e.file);
  }
  if (name === undefined) {
    if (entries.length === 0) {
      throw new ModelError(
        `no warehouse models in ${locations.join(", ") || "(none configured)"}: weir.config.ts \`warehouseModels\` lists warehouse.ts / *.warehouse.ts files or their folders`,
      );
    }
    return entries;
  }
  const named = entries.filter((e) => e.name === name);
  if (named.length > 0) return named;
  if (modelFile(resolve(name))) return [await loadWarehouseModel(name)];
  throw new ModelError(
    `no warehouse model "${name}": not a model name in ${locations.join(", ") || "(none configured)"} nor a path`,
    { model: name },
  );
}
