import {
  ConfigError,
  createPipeline,
  type DetectorEntry,
  type Pipeline,
  type ScoringOptions,
} from "@oddity/core";
import type { OddityConfig } from "./config/normalize.js";
import type { createPluginLoader } from "./plugins/load.js";

/** Loads a plugin by its `use` specifier; shared by config pipelines and model loading. */
export type PluginLoader = ReturnType<typeof createPluginLoader>;

/**
 * Loads every configured detector and validates its options. Errors name the config file and key path
 * (`oddity.config.yaml: detectors[0].options.threshold: ...`).
 */
export async function buildPipeline({
  config,
  loader,
  scoring = {},
}: {
  config: OddityConfig;
  loader: PluginLoader;
  /** Command-line overrides of the config's scoring. */
  scoring?: Partial<ScoringOptions>;
}): Promise<Pipeline> {
  const entries: DetectorEntry[] = [];
  // Every detector that fails to load is reported together with the options of those that did.
  const problems: string[] = [];
  for (const detector of config.detectors) {
    let definition;
    try {
      definition = await loader(detector.use, { where: `${detector.where}.use`, dir: config.dir });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...(error.issues.length > 0 ? error.issues : [error.message]));
      continue;
    }
    entries.push({
      use: detector.use,
      definition,
      ...(detector.id === undefined ? {} : { id: detector.id }),
      ...(detector.options === undefined ? {} : { options: detector.options }),
    });
  }
  const merged: Partial<ScoringOptions> = {};
  const combine = scoring.combine ?? config.scoring.combine;
  const minScore = scoring.minScore ?? config.scoring.minScore;
  if (combine !== undefined) merged.combine = combine;
  if (minScore !== undefined) merged.minScore = minScore;
  if (problems.length === 0)
    return createPipeline({ detectors: entries, scoring: merged, where: `${config.name}: detectors` });
  try {
    createPipeline({ detectors: entries, scoring: merged, where: `${config.name}: detectors` });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...(error.issues.length > 0 ? error.issues : [error.message]));
  }
  throw problems.length === 1
    ? new ConfigError(problems[0]!)
    : new ConfigError(`${config.name}: ${problems.length} problems`, problems);
}
