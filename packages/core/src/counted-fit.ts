import { countTables, type CountPlan, type CountResults } from "./counted.js";
import { DetectorError } from "./errors.js";
import { prepareModel, type Model } from "./model.js";
import type { Pipeline } from "./pipeline.js";

/**
 * A model from an engine's grouped counts: each detector starts empty and folds its tables, exactly as
 * if it had observed the records (the test kit's `checkCountedFit` holds every declaring detector to
 * that). `records` and `timeRange` are what the engine counted of the baseline as a whole.
 */
export function fitFromCounts({
  pipeline,
  plan,
  results,
  records,
  timeRange,
  sources,
  prepare = true,
}: {
  pipeline: Pipeline;
  plan: CountPlan;
  results: CountResults;
  records: number;
  timeRange: { from: number | null; to: number | null };
  sources: readonly string[];
  prepare?: boolean;
}): Model {
  const tables = countTables(plan, results);
  const states = pipeline.detectors.map((d, i) => {
    try {
      const state = d.hooks.init();
      d.hooks.foldCounts!(state, tables[i]!);
      return state;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new DetectorError(`detector "${d.id}" threw while folding counts: ${reason}`, { cause: error });
    }
  });
  const model: Model = {
    pipeline,
    states,
    meta: { records, timeRange, sources: [...new Set(sources)].sort(), configHash: pipeline.configHash },
  };
  return prepare ? prepareModel(model) : model;
}
