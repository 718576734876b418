import {
  API_VERSION,
  NO_FINDINGS,
  defineDetector,
  formatCount,
  type Finding,
  type LogRecord,
} from "@oddity/core";
import { countSpecs, foldCounts } from "./counts.js";
import { conditionalFinding } from "./findings.js";
import { judge } from "./judge.js";
import { conditionalOptionsSchema, pairName, resolvePairs, type ConditionalOptions } from "./options.js";
import {
  emptyState,
  marginalFields,
  mergeStates,
  stateFromJSON,
  stateToJSON,
  type ConditionalState,
} from "./state.js";
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
    const fields = marginalFields(rules);
    const readField = fields.map((f) => context.fieldReader(f));
    const givenAt = rules.map((r) => fields.indexOf(r.given));
    const targetAt = rules.map((r) => fields.indexOf(r.target));
    const { smoothing, maxDistinct } = options;
    const layout = { rules, maxDistinct, codes: context.codes };
    // This record's value of each field, read once however many pairs use it. Reused between records:
    // observe and score are synchronous, so no other record can be halfway through.
    const values: string[] = fields.map(() => ABSENT);
    // count(a) per field for the record being scored, looked up once for all the pairs given that field.
    const counts: number[] = fields.map(() => -1);
    const readValues = (record: LogRecord) => {
      for (let f = 0; f < fields.length; f++) values[f] = readField[f]!(record) ?? ABSENT;
    };

    return {
      init: () => emptyState(layout),
      observe(state, record) {
        readValues(record);
        const { marginals, pairs } = state;
        for (let f = 0; f < marginals.length; f++) marginals[f]!.add(values[f]!);
        for (let i = 0; i < pairs.length; i++) {
          pairs[i]!.cells.addPair(values[givenAt[i]!]!, values[targetAt[i]!]!);
        }
      },
      merge: mergeStates,
      counts: countSpecs(rules),
      // A pair's finding depends on the pair's two values alone.
      footprints: rules.map((r) => [r.given, r.target]),
      foldCounts,
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
        readValues(record);
        counts.fill(-1);
        let found: Finding[] | null = null;
        for (let i = 0; i < rules.length; i++) {
          const rule = rules[i]!;
          const pair = state.pairs[i]!;
          const at = givenAt[i]!;
          const given = values[at]!;
          const target = values[targetAt[i]!]!;
          // Most records come from well-supported values and common pairs, and are not odd: rule them
          // out on the two counts that decide it before judging in full (`judge` agrees on the rest).
          let givenCount = counts[at]!;
          if (givenCount < 0) givenCount = counts[at] = pair.givens.count(given);
          if (givenCount < rule.minSupport) continue;
          const count = pair.cells.countPair(given, target);
          if (count > 0 && count / givenCount >= rule.threshold) continue;
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
      fromJSON: (json) => stateFromJSON(json, layout),
      summarize(state) {
        return state.pairs.map((pair, i) => conditionalSummary(context.id, pair, rules[i]!, smoothing));
      },
    };
  },
});
