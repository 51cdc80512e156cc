import { existsSync } from "node:fs";
import Module, { register } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * The resolve hook, as a module of its own for Node's loader thread (a data: URL, so it
 * needs no file of its own next to either the TypeScript sources or `dist/`).
 */
const HOOKS = `let target;
export function initialize(data) { target = data.url; }
export async function resolve(specifier, context, next) {
  if (specifier === "weir") return { url: target, shortCircuit: true };
  return next(specifier, context);
}`;

let registered = false;

/**
 * Makes `import "weir"` (and `require("weir")`) in the user files weir loads resolve to
 * the running weir itself — `dist/index.js` of an installed or built weir, `src/index.ts`
 * when weir runs from its sources — wherever the file lives: a pipeline outside the
 * project, or in a project that has no `node_modules/weir` (weir installed globally, or
 * run with npx). One weir, one version: the pipeline's `definePipeline` is the CLI's own.
 * ES modules go through a Node resolve hook (`module.register`); CommonJS files (a `.ts`
 * file in a package without `"type": "module"`, compiled to CommonJS by tsx) through
 * `Module._resolveFilename`, which tsx's own require hook calls for bare names. The user's
 * tsconfig is left alone. Idempotent.
 */
export function resolveWeirToSelf(): void {
  if (registered) return;
  registered = true;
  const index = weirIndexUrl();
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { url: index.href } });
  const indexPath = fileURLToPath(index);
  const resolvable = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const original = resolvable._resolveFilename;
  resolvable._resolveFilename = function resolveFilename(this: unknown, request: string, ...rest: unknown[]) {
    if (request === "weir") return indexPath;
    return original.call(this, request, ...rest);
  };
}

/** weir's entry point next to this module: `../index.ts` in the sources, `../index.js` in `dist/`. */
export function weirIndexUrl(): URL {
  const ts = import.meta.url.endsWith(".ts");
  const index = new URL(ts ? "../index.ts" : "../index.js", import.meta.url);
  if (!existsSync(fileURLToPath(index))) return new URL("../index.js", import.meta.url);
  return index;
}
