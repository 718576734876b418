import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "@oddity/core";
import { normalizeConfig, type OddityConfig } from "./normalize.js";
import { parseConfigText, type ParsedConfig } from "./parse.js";
import { checkDetectors } from "../plugins/check.js";
import { checkConfig } from "./rules.js";

/** Config file names looked for in each folder, in order of preference. */
export const CONFIG_NAMES = [
  "oddity.config.json",
  "oddity.config.yaml",
  "oddity.config.yml",
  "oddity.config.js",
  "oddity.config.mjs",
] as const;

/** The nearest config file from `cwd` upward, and any others in the same folder that lose to it. */
export function findConfigFile(cwd: string): { file: string; ignored: string[] } | null {
  let dir = path.resolve(cwd);
  for (;;) {
    const found = CONFIG_NAMES.map((name) => path.join(dir, name)).filter((file) => existsSync(file));
    if (found.length > 0) return { file: found[0]!, ignored: found.slice(1) };
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function displayName(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative === "" || relative.startsWith(`..${path.sep}..${path.sep}..`) ? file : relative;
}

async function parseFile(file: string, name: string): Promise<ParsedConfig> {
  const extension = path.extname(file).toLowerCase();
  if (extension === ".js" || extension === ".mjs") {
    try {
      const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
      if (module.default === undefined) {
        return {
          value: undefined,
          errors: [`${name}: expected a default export holding the config object`],
          lineOf: () => undefined,
        };
      }
      return { value: module.default, errors: [], lineOf: () => undefined };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        value: undefined,
        errors: [`${name}: the config module failed to load: ${reason}`],
        lineOf: () => undefined,
      };
    }
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (error as Error).message;
    throw new ConfigError(`${name}: cannot read the config file: ${reason}`);
  }
  return parseConfigText({ text, name, syntax: extension === ".json" ? "json" : "yaml" });
}

/**
 * Finds and loads the config: `--config` if given, else the nearest `oddity.config.*` from `cwd` upward,
 * else the defaults. Runs parse → normalize → rules; throws one ConfigError listing every problem.
 */
export async function loadConfig({
  cwd,
  configPath,
}: {
  cwd: string;
  configPath?: string | undefined;
}): Promise<{ config: OddityConfig; warnings: string[] }> {
  const warnings: string[] = [];
  let file: string | null = null;
  if (configPath !== undefined) {
    file = path.resolve(cwd, configPath);
    if (!existsSync(file)) throw new ConfigError(`--config ${configPath}: no such file`);
  } else {
    const found = findConfigFile(cwd);
    if (found) {
      file = found.file;
      for (const other of found.ignored) {
        warnings.push(
          `${displayName(cwd, other)} is ignored: ${displayName(cwd, found.file)} is used (one config per folder)`,
        );
      }
    }
  }
  const name = file === null ? "(defaults)" : displayName(cwd, file);
  const dir = file === null ? path.resolve(cwd) : path.dirname(file);
  const parsed: ParsedConfig =
    file === null ? { value: {}, errors: [], lineOf: () => undefined } : await parseFile(file, name);
  const fail = (errors: string[]): never => {
    throw errors.length === 1
      ? new ConfigError(errors[0]!)
      : new ConfigError(`${name}: ${errors.length} problems`, errors);
  };
  if (parsed.errors.length > 0) fail(parsed.errors);
  const normalized = normalizeConfig({ value: parsed.value, file, name, dir, lineOf: parsed.lineOf });
  if (normalized.config === null) fail(normalized.errors);
  const config = normalized.config!;
  const report = checkConfig(config);
  const errors = [...normalized.errors, ...report.errors, ...(await checkDetectors(config))];
  if (errors.length > 0) fail(errors);
  return { config, warnings: [...warnings, ...normalized.warnings, ...report.warnings] };
}
