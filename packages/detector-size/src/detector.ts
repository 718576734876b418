import {
  API_VERSION,
  NO_FINDINGS,
  defineDetector,
  formatCount,
  type DistributionSummary,
  type Finding,
  type Summary,
} from "@oddity/core";
import { countSpecs, foldCounts } from "./counts.js";
import type { Profile } from "./fences.js";
import { buildFinding, type Reference } from "./finding.js";
import { resolveOptions, sizeOptionsSchema, type SizeOptions } from "./options.js";
import { stateFromJSON, stateToJSON } from "./serialize.js";
import {
  emptyState,
  groupReader,
  mergeStates,
  numberReader,
  observeValue,
  prepareState,
  type Prepared,
  type SizeState,
} from "./state.js";

type SummaryRow = DistributionSummary["groups"][number] & { missing?: number; relativeError: number };

function summaryRow(group: string, profile: Profile): SummaryRow {
  return {
    group,
    count: profile.count,
    min: profile.min,
    q1: profile.q1,
    median: profile.median,
    q3: profile.q3,
    max: profile.max,
    lowerFence: profile.lowerFence,
    upperFence: profile.upperFence,
    relativeError: profile.relativeError,
  };
}

/**
 * Flags responses whose size (or any numeric field) lies past Tukey's IQR fences, a robust z-score
 * (MAD) or a z-score, within the record's group (path template by default).
 */
export const size = defineDetector<SizeOptions, SizeState>({
  meta: {
    name: "size",
    description: "Response sizes (or any numeric field) far outside their path template's usual range",
    apiVersion: API_VERSION,
    options: sizeOptionsSchema,
  },
  create(rawOptions, context) {
    const options = resolveOptions(rawOptions);
    const readValue = numberReader(options.field);
    const readGroup = groupReader({ groupBy: options.groupBy, fieldReader: context.fieldReader });

    function prepare(state: SizeState): Prepared {
      const prepared = prepareState(state, options);
      const { global, missing, evicted } = state;
      if (global.count === 0 && missing > 0) {
        context.warn(
          `field "${options.field}" had no numeric value in ${formatCount(missing)} records; check the field name`,
        );
      } else if (prepared.global === null && global.count > 0) {
        context.warn(
          `only ${formatCount(global.count)} numeric values of "${options.field}"; at least ${formatCount(options.minGroupSize)} (minGroupSize) are needed to score`,
        );
      }
      if (state.groups.size > options.maxGroups || evicted > 0) {
        context.warn(
          `more than ${formatCount(options.maxGroups)} groups of ${options.groupBy.join(", ")}; the less frequent were compared with all records (maxGroups)`,
        );
      }
      return prepared;
    }

    return {
      init: emptyState,
      observe(state, record) {
        const value = readValue(record);
        if (value === null) {
          state.missing++;
          return;
        }
        observeValue({ state, value, group: readGroup === null ? null : readGroup(record), options });
      },
      merge: (a, b) => mergeStates(a, b, options),
      counts: countSpecs(options),
      // A value is judged against its group's distribution only.
      footprints: [[...options.groupBy, options.field]],
      foldCounts: (state, tables) => foldCounts({ state, tables, options }),
      prepare(state) {
        prepare(state);
      },
      score(state, record) {
        const value = readValue(record);
        if (value === null) return NO_FINDINGS;
        const prepared = state.prepared ?? prepare(state);
        const group = readGroup === null ? null : readGroup(record);
        const own = group === null ? undefined : state.groups.get(group.key);
        const ownProfile = group === null ? undefined : prepared.groups.get(group.key);
        if (ownProfile === undefined && readGroup !== null && options.fallback === "none") return NO_FINDINGS;
        const profile = ownProfile ?? prepared.global;
        if (profile === null) return NO_FINDINGS;
        const high = profile.upperFence !== null && value > profile.upperFence;
        // An empty response (a 304, a HEAD, an aborted request) sent no body rather than a short one: the
        // status and method tell why, so the lower side looks for truncated bodies, not missing ones.
        const low =
          profile.lowerFence !== null && value < profile.lowerFence && !(value === 0 && profile.min >= 0);
        if (!high && !low) return NO_FINDINGS;
        const reference: Reference = {
          profile,
          distribution: ownProfile === undefined ? state.global : own!.distribution,
          labels: group === null ? null : group.labels,
          groupCount: own === undefined ? 0 : own.distribution.count,
          fallback: group !== null && ownProfile === undefined,
        };
        const finding: Finding = buildFinding({
          id: context.id,
          value,
          high,
          reference,
          missing: state.missing,
          options,
        });
        // Past a fence but not rare in its group (a second mode, a common size): no evidence, no finding.
        return finding.probability > options.maxProbability ? NO_FINDINGS : [finding];
      },
      toJSON: (state) => stateToJSON(state, options),
      fromJSON: (json) => stateFromJSON(json, options),
      summarize(state): Summary[] {
        const prepared = state.prepared ?? prepare(state);
        const summaries: DistributionSummary[] = [];
        if (prepared.global !== null) {
          const all: SummaryRow = { ...summaryRow("all", prepared.global), missing: state.missing };
          summaries.push({
            kind: "distribution",
            detector: context.id,
            field: options.field,
            groupBy: null,
            groups: [all],
          });
        }
        if (options.groupBy.length > 0) {
          const rows = [...prepared.groups]
            .map(([key, profile]) => ({
              key,
              row: summaryRow(state.groups.get(key)!.labels.join(" "), profile),
            }))
            .sort((a, b) => b.row.count - a.row.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
            .map(({ row }) => row);
          summaries.push({
            kind: "distribution",
            detector: context.id,
            field: options.field,
            groupBy: options.groupBy.join(","),
            groups: rows,
          });
        }
        return summaries;
      },
    };
  },
});
