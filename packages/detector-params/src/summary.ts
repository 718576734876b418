import type { FrequencySummary } from "@oddity/core";
import type { PreparedState } from "./prepared.js";
import type { ParamsState } from "./state.js";

/** Templates summarized, busiest first. */
export const SUMMARY_TEMPLATES = 20;

/**
 * Which parameters each of the busiest templates carries, as value frequencies: a name's count is the
 * requests (with a query) that carried it, so `probability` is its presence rate.
 */
export function parameterSummaries(
  detector: string,
  state: ParamsState,
  prepared: PreparedState,
): FrequencySummary[] {
  return [...prepared.templates.values()]
    .sort((a, b) => b.requests - a.requests || (a.template < b.template ? -1 : 1))
    .slice(0, SUMMARY_TEMPLATES)
    .map((template) => ({
      kind: "frequencies" as const,
      detector,
      field: `parameters of ${template.template}`,
      total: template.requests,
      distinct: template.params.size,
      values: [...template.params.values()]
        .sort((a, b) => b.model.present - a.model.present || (a.name < b.name ? -1 : 1))
        .map((param) => ({
          value: param.name,
          count: param.model.present,
          probability: template.requests === 0 ? 0 : param.model.present / template.requests,
          flagged: false,
        })),
      threshold: 0,
    }))
    .filter(() => state.requests > 0);
}
