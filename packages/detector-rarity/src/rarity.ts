import {
  API_VERSION,
  NO_FINDINGS,
  defineDetector,
  fieldReader,
  formatCount,
  type DetectorContext,
  type Finding,
} from "@oddity/core";
import { computeCut, type FieldCut } from "./cutoff.js";
import { rareFinding, unseenFinding, type FindingContext } from "./findings.js";
import { rarityOptionsSchema, resolveFields, type FieldRule, type RarityOptions } from "./options.js";
import {
  baselineTotal,
  emptyState,
  mergeStates,
  stateFromJSON,
  stateToJSON,
  type RarityState,
} from "./state.js";
import { frequencySummary } from "./summary.js";

/** Absent values count under `-`, as the log writes them and as `oddity profile` shows them. */
const ABSENT = "-";

/** Fields where at least this share of requests carry distinct values are reported as nearly unique. */
const NEARLY_UNIQUE = 0.5;

function percent(share: number): string {
  return `${Number((share * 100).toPrecision(2))}%`;
}

function warnAbout(context: DetectorContext, rule: FieldRule, findings: FindingContext): void {
  const { counter, cut } = findings;
  const total = counter.total;
  if (total === 0) return;
  if (counter.overflowed) {
    context.warn(
      `${rule.field}: more than ${formatCount(rule.maxDistinct)} distinct values, so a hash-chosen sample of ${formatCount(counter.distinct)} is counted exactly and the ${formatCount(counter.spilled)} requests with any other value in a count-min sketch (counts at most ${formatCount(counter.errorBound())} too high with ${percent(counter.confidence)} confidence)`,
    );
  } else if (total >= 100 && counter.distinct >= NEARLY_UNIQUE * total) {
    context.warn(
      `${rule.field}: nearly every value is unique (${formatCount(counter.distinct)} distinct in ${formatCount(total)} requests), so its rarity measures novelty rather than oddness; prefer a coarser field (path_template, endpoint)`,
    );
  }
  if (cut.budgetExhausted && cut.by === "budget") {
    context.warn(
      `${rule.field}: ${percent((cut.singletons + counter.spilled) / total)} of baseline requests carry a value seen once${counter.overflowed ? " or counted in the sketch" : ""}, more than the ${percent(rule.budget!)} alert budget, so new and rare values are normal here and rarity flags nothing on this field`,
    );
  }
}

/**
 * Single-field rarity: P(v) = count(v) / N per configured field over the baseline; flags the rarest values
 * (by default those covering at most 1% of requests per field) and values never seen in the baseline.
 */
export const rarity = defineDetector<RarityOptions, RarityState>({
  meta: {
    name: "rarity",
    description:
      "Flags requests whose method, status, user agent, ip or path template is rare or unseen in the baseline",
    apiVersion: API_VERSION,
    options: rarityOptionsSchema,
  },
  create(options, context) {
    const rules = resolveFields(options);
    const readers = rules.map((r) => fieldReader(r.field));
    // Cut-offs derive from the counts; cached per state and recomputed if the state grew since.
    const prepared = new WeakMap<RarityState, { total: number; findings: FindingContext[] }>();

    function prepare(state: RarityState): FindingContext[] {
      const findings = state.fields.map(({ field, counter }, i) => ({
        detector: context.id,
        field,
        counter,
        cut: computeCut(counter, rules[i]!),
        smoothing: options.smoothing,
      }));
      findings.forEach((f, i) => warnAbout(context, rules[i]!, f));
      prepared.set(state, { total: baselineTotal(state), findings });
      return findings;
    }

    function preparedFor(state: RarityState): FindingContext[] {
      const cached = prepared.get(state);
      return cached !== undefined && cached.total === baselineTotal(state) ? cached.findings : prepare(state);
    }

    return {
      init: () => emptyState(rules),
      observe(state, record) {
        const { fields } = state;
        for (let i = 0; i < fields.length; i++) fields[i]!.counter.add(readers[i]!(record) ?? ABSENT);
      },
      merge: mergeStates,
      prepare(state) {
        prepare(state);
      },
      score(state, record) {
        const contexts = preparedFor(state);
        let found: Finding[] | null = null;
        for (let i = 0; i < contexts.length; i++) {
          const ctx = contexts[i]!;
          const cut: FieldCut = ctx.cut;
          if (cut.belowCount <= 0) continue;
          const value = readers[i]!(record) ?? ABSENT;
          const count = ctx.counter.count(value);
          if (count >= cut.belowCount) continue;
          (found ??= []).push(count === 0 ? unseenFinding(ctx, value) : rareFinding(ctx, value, count));
        }
        return found ?? NO_FINDINGS;
      },
      toJSON: stateToJSON,
      fromJSON: (json) => stateFromJSON(json, rules),
      summarize(state) {
        return preparedFor(state).map((ctx, i) => frequencySummary(context.id, state.fields[i]!, ctx.cut));
      },
    };
  },
});
