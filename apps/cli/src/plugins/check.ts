import { ConfigError, validateOptions, type AnyDetectorDefinition } from "@oddity/core";
import type { OddityConfig } from "../config/normalize.js";
import { builtinPackage, importBuiltin } from "./builtins.js";
import { resolvePlugin } from "./load.js";

function problemsOf(error: unknown): string[] {
  if (!(error instanceof ConfigError)) throw error;
  return error.issues.length > 0 ? [...error.issues] : [error.message];
}

/**
 * What can be checked of the configured detectors before any plugin runs: each plugin specifier
 * resolves (or names the bundled detector meant), and each bundled detector's options validate. Lets
 * one run report these with the rest of the config's problems.
 */
export async function checkDetectors(config: OddityConfig): Promise<string[]> {
  const problems: string[] = [];
  for (const detector of config.detectors) {
    const pkg = builtinPackage(detector.use);
    if (pkg === null) {
      try {
        resolvePlugin(detector.use, { where: `${detector.where}.use`, dir: config.dir });
      } catch (error) {
        problems.push(...problemsOf(error));
      }
      continue;
    }
    const module = (await importBuiltin(pkg)) as { default: AnyDetectorDefinition };
    try {
      validateOptions(module.default, detector.options, `${detector.where}.options`);
    } catch (error) {
      problems.push(...problemsOf(error));
    }
  }
  return problems;
}
