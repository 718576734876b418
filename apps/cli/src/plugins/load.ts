import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ConfigError, isDetectorDefinition, nearest, type AnyDetectorDefinition } from "@oddity/core";
import { resolve as resolveSpecifier } from "import-meta-resolve";
import { BUILTIN_PACKAGES, builtinPackage, importBuiltin } from "./builtins.js";

/** Where a `use` specifier was written, for messages: the key path and the folder it resolves from. */
export interface PluginOrigin {
  /** The key that named it, e.g. `oddity.config.yaml: detectors[2].use` or `model.json: detector "x"`. */
  where: string;
  /** Folder relative paths and bare package names resolve from (the config file's folder). */
  dir: string;
}

function isPathSpecifier(use: string): boolean {
  return use.startsWith("./") || use.startsWith("../") || use.startsWith("file:") || path.isAbsolute(use);
}

/** Turns a specifier into a URL to import, or explains why it cannot be found. */
export function resolvePlugin(use: string, { where, dir }: PluginOrigin): string {
  if (isPathSpecifier(use)) {
    const file = use.startsWith("file:") ? fileURLToPath(use) : path.resolve(dir, use);
    if (!existsSync(file)) {
      throw new ConfigError(
        `${where}: cannot load detector "${use}": ${file} does not exist. Relative paths resolve from ${dir}; check the path and the file name`,
      );
    }
    return pathToFileURL(file).href;
  }
  try {
    return resolveSpecifier(use, pathToFileURL(path.join(dir, "/")).href);
  } catch (error) {
    // A bare name is most likely a bundled detector misspelt; telling the user to install a package of
    // that name would send them to whatever anyone registered under it.
    if (!use.startsWith("@")) {
      const names = Object.keys(BUILTIN_PACKAGES);
      const guess = nearest(use, names);
      throw new ConfigError(
        `${where}: unknown detector "${use}"${guess === undefined ? "." : `; did you mean "${guess}"?`} The bundled detectors are ${names.join(", ")}; a plugin is a relative path ("./${use}.js") or a scoped package name ("@scope/${use}")`,
      );
    }
    const code = (error as { code?: unknown }).code;
    const reason =
      code === "ERR_MODULE_NOT_FOUND"
        ? `the package is not installed in ${dir} or a folder above it`
        : `it does not resolve (${error instanceof Error ? error.message.split("\n")[0]! : String(error)})`;
    throw new ConfigError(
      `${where}: cannot load detector "${use}": ${reason}. Install it there (npm install ${use}), or write a relative path such as "./${use}.js" for a local file`,
    );
  }
}

/**
 * The detector a plugin module exports: its default export, else an export named `detector`, else its
 * only export made with defineDetector.
 */
export function pickDetector(module: Record<string, unknown>): AnyDetectorDefinition | string[] {
  if (isDetectorDefinition(module.default)) return module.default;
  if (isDetectorDefinition(module.detector)) return module.detector;
  const named = Object.keys(module).filter((key) => key !== "default" && isDetectorDefinition(module[key]));
  if (named.length === 1) return module[named[0]!] as AnyDetectorDefinition;
  return named;
}

/** Loads detector plugins; a module is imported once however many entries use it. */
export function createPluginLoader(): (use: string, origin: PluginOrigin) => Promise<AnyDetectorDefinition> {
  const cache = new Map<string, Promise<AnyDetectorDefinition>>();
  return async (use, origin) => {
    const pkg = builtinPackage(use);
    const key = pkg ?? resolvePlugin(use, origin);
    let loading = cache.get(key);
    if (loading === undefined) {
      loading = load({ use, origin, url: key, builtin: pkg !== null });
      cache.set(key, loading);
    }
    return loading;
  };
}

async function load({
  use,
  origin,
  url,
  builtin,
}: {
  use: string;
  origin: PluginOrigin;
  url: string;
  builtin: boolean;
}): Promise<AnyDetectorDefinition> {
  let module: Record<string, unknown>;
  try {
    module = (await (builtin ? importBuiltin(url) : import(url))) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw new ConfigError(
      `${origin.where}: cannot load detector "${use}": importing it failed: ${reason}. Fix the module, or check that it is an ES module (.js/.mjs with "type": "module" or .mjs)`,
      [],
      { cause: error },
    );
  }
  const picked = pickDetector(module);
  if (Array.isArray(picked)) {
    const found = Object.keys(module).sort();
    throw new ConfigError(
      picked.length > 1
        ? `${origin.where}: "${use}" exports several detectors (${picked.join(", ")}); export the one to use as default, or split them into modules`
        : `${origin.where}: "${use}" exports no detector: expected a default export made with defineDetector() from @oddity/core (found ${found.length > 0 ? `exports: ${found.join(", ")}` : "no exports"})`,
    );
  }
  return picked;
}
