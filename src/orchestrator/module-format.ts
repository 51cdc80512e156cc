import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";

/**
 * In a folder whose package.json is not `"type": "module"` (or that has none), Node and
 * tsx load a `.ts` file as CommonJS: its `export default x` becomes `exports.default = x`
 * beside `__esModule: true`, and importing it gives `{ default: exports }`. The compiled
 * exports object is then the module's real exports (the Babel/TypeScript interop rule);
 * a hand-written `module.exports = {...}` (no marker) stays the default export.
 *
 * @example
 * const exports = esModuleExports(await tsImport(url, import.meta.url));
 * exports.default; // the `export default` value, however the file was loaded
 */
export function esModuleExports(namespace: Record<string, unknown>): Record<string, unknown> {
  const exported = namespace.default;
  if (
    typeof exported === "object" &&
    exported !== null &&
    (exported as { __esModule?: unknown }).__esModule === true
  ) {
    return exported as Record<string, unknown>;
  }
  return namespace;
}

/** Errors that only happen because an ES module was compiled to CommonJS. */
const COMMONJS_ONLY =
  /"cjs" output format|ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE|require\(\) of ES Module|import\.meta|exports is not defined|Cannot use import statement outside a module/i;

/**
 * What to change when `file` failed to load because it is loaded as CommonJS (a top-level
 * `await`, an ES-module-only import): which package.json decides that, and the two fixes.
 * Undefined when the file is loaded as an ES module or the error has another cause.
 *
 * @example
 * commonJsHint("/p/weir.config.ts", 'Top-level await is currently not supported with the "cjs" output format');
 * // '/p/weir.config.ts is loaded as CommonJS because /p has no package.json with "type": "module": …'
 */
export function commonJsHint(file: string, message: string): string | undefined {
  if (!COMMONJS_ONLY.test(message) || !/^\.(ts|tsx|js|jsx)$/.test(extname(file))) return undefined;
  const pkg = nearestPackageJson(dirname(file));
  let type: unknown;
  try {
    type = pkg ? (JSON.parse(readFileSync(pkg, "utf8")) as { type?: unknown }).type : undefined;
  } catch {
    type = undefined;
  }
  if (type === "module") return undefined;
  const why = pkg ? `${pkg} does not say "type": "module"` : `no package.json above it says "type": "module"`;
  const esm = basename(file).replace(/\.(ts|tsx|js|jsx)$/, (ext) => (ext.startsWith(".t") ? ".mts" : ".mjs"));
  return `${file} is loaded as CommonJS because ${why}: add "type": "module" to ${pkg ?? `a package.json in ${dirname(file)}`}, or rename the file to ${esm}`;
}

function nearestPackageJson(dir: string): string | undefined {
  for (let current = dir; ; ) {
    const file = join(current, "package.json");
    if (existsSync(file)) return file;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
