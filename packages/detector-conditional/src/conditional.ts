import {
  API_VERSION,
  NO_FINDINGS,
  defineDetector,
  fieldReader,
  formatCount,
  pairKey,
  type Finding,
} from "@oddity/core";
import { conditionalFinding } from "./findings.js";
import { judge } from "./judge.js";
import { conditionalOptionsSchema, pairName, resolvePairs, type ConditionalOptions } from "./options.js";
import { emptyState, mergeStates, stateFromJSON, stateToJSON, type ConditionalState } from "./state.js";
import { conditionalSummary } from "./summary.js";

/** Absent values count under `-`, as the log writes them. */
const ABSENT = "-";

/**
 * Field-pair conditional probability: P(target = b | given = a) = count(a, b) / count(a) over the baseline.
 * Flags a value that is improbable for the value it comes with, when that value has enough support and
 * b is clearly rarer with a than overall (values rare everywhere are left to rarity).
 */
export const conditional = defineDetector<ConditionalOptions, ConditionalState>({
  meta: {
    name: "conditional",
    description:
      "Flags requests whose value is improbable given another field's value (status given ip, method given path)",
    apiVersion: API_VERSION,
    options: conditionalOptionsSchema,
  },
  create(options, context) {
    const rules = resolvePairs(options);
    const readGiven = rules.map((r) => fieldReader(r.given));
    const readTarget = rules.map((r) => fieldReader(r.target));
    const { smoothing, maxDistinct } = options;

    return {
      init: () => emptyState(rules, maxDistinct),
      observe(state, record) {
        const { pairs } = state;
        for (let i = 0; i < pairs.length; i++) {
          const pair = pairs[i]!;
          const a = readGiven[i]!(record) ?? ABSENT;
          const b = readTarget[i]!(record) ?? ABSENT;
          pair.givens.add(a);
          pair.targets.add(b);
          pair.cells.add(pairKey(a, b));
        }
      },
      merge: mergeStates,
      prepare(state) {
        state.pairs.forEach((pair, i) => {
          const overflowed = [pair.givens, pair.targets, pair.cells].filter((c) => c.overflowed);
          if (overflowed.length === 0) return;
          const bound = Math.max(...overflowed.map((c) => c.errorBound()));
          const confidence = Math.min(...overflowed.map((c) => c.confidence));
          context.warn(
            `${pairName(rules[i]!)}: more than ${formatCount(maxDistinct)} distinct values or pairs, so a hash-chosen sample of each is counted exactly and the rest in a count-min sketch (counts at most ${formatCount(bound)} too high with ${Math.floor(confidence * 100)}% confidence)`,
          );
        });
      },
      score(state, record) {
        let found: Finding[] | null = null;
        for (let i = 0; i < rules.length; i++) {
          const rule = rules[i]!;
          const pair = state.pairs[i]!;
          const given = readGiven[i]!(record) ?? ABSENT;
          // Cheap support check first: most records come from well-supported values and are not odd.
          if (pair.givens.count(given) < rule.minSupport) continue;
          const target = readTarget[i]!(record) ?? ABSENT;
          const judgement = judge(pair, rule, smoothing, given, target);
          if (!judgement.flagged) continue;
          const confidence = Math.min(pair.givens.confidence, pair.targets.confidence, pair.cells.confidence);
          (found ??= []).push(
            conditionalFinding({
              detector: context.id,
              rule,
              judgement,
              given,
              target,
              smoothing,
              confidence,
            }),
          );
        }
        return found ?? NO_FINDINGS;
      },
      toJSON: stateToJSON,
      fromJSON: (json) => stateFromJSON(json, rules, maxDistinct),
      summarize(state) {
        return state.pairs.map((pair, i) => conditionalSummary(context.id, pair, rules[i]!, smoothing));
      },
    };
  },
});
