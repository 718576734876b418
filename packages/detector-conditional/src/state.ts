import {
  BoundedCounter,
  invalidState,
  parseState,
  splitPairKey,
  z,
  type Coding,
  type DetectorContext,
} from "@oddity/core";
import type { PairRule } from "./options.js";

/** Version of the saved state; bumped whenever its shape changes (2: one marginal counter per field). */
export const STATE_VERSION = 2;

/** The counts behind P(target | given) for one pair. */
export interface PairCounts {
  given: string;
  target: string;
  /** count(a) per given value a; the same counter as every other pair's on this field. */
  givens: BoundedCounter;
  /** count(b) per target value b, for the marginal P(b) in lift; shared per field like `givens`. */
  targets: BoundedCounter;
  /** count(a, b) per pair, keyed by `pairKey(a, b)`. */
  cells: BoundedCounter;
}

/** What the conditional detector learns from a baseline. */
export interface ConditionalState {
  /** The fields the pairs use, each once, in order of first use (see {@link marginalFields}). */
  fields: string[];
  /** count(v) per field, aligned with `fields`: `ip` is counted once however many pairs condition on it. */
  marginals: BoundedCounter[];
  /** One table per pair, in the order of the options. */
  pairs: PairCounts[];
}

/** The fields `rules` use as given or target, each once, in order of first use. */
export function marginalFields(rules: readonly PairRule[]): string[] {
  return [...new Set(rules.flatMap((r) => [r.given, r.target]))];
}

function assemble(
  rules: ReadonlyArray<Pick<PairRule, "given" | "target">>,
  fields: string[],
  marginals: BoundedCounter[],
  cells: BoundedCounter[],
): ConditionalState {
  const marginal = (field: string) => marginals[fields.indexOf(field)]!;
  return {
    fields,
    marginals,
    pairs: rules.map((r, i) => ({
      given: r.given,
      target: r.target,
      givens: marginal(r.given),
      targets: marginal(r.target),
      cells: cells[i]!,
    })),
  };
}

/** What a state holds counts of: the configured pairs, counted by the pipeline's codes. */
export interface StateLayout {
  rules: readonly PairRule[];
  maxDistinct: number;
  /** The pipeline's value codes (the detector context's `codes`). */
  codes: DetectorContext["codes"];
}

// Counters count by the pipeline's value codes of their fields (see `ValueCodes`): faster, same counts.
const fieldCoding = (field: string, codes: StateLayout["codes"]): Coding => ({ codes: codes(field) });
const pairCoding = (rule: Pick<PairRule, "given" | "target">, codes: StateLayout["codes"]): Coding => ({
  pairCodes: [codes(rule.given), codes(rule.target)],
});

/** Empty tables for the configured pairs. */
export function emptyState({ rules, maxDistinct, codes }: StateLayout): ConditionalState {
  const fields = marginalFields(rules);
  return assemble(
    rules,
    fields,
    fields.map((field) => new BoundedCounter({ maxDistinct, ...fieldCoding(field, codes) })),
    rules.map((rule) => new BoundedCounter({ maxDistinct, ...pairCoding(rule, codes) })),
  );
}

/** A new state with the counts of both. */
export function mergeStates(a: ConditionalState, b: ConditionalState): ConditionalState {
  return assemble(
    a.pairs,
    a.fields,
    a.marginals.map((m, i) => BoundedCounter.merge(m, b.marginals[i]!)),
    a.pairs.map((p, i) => BoundedCounter.merge(p.cells, b.pairs[i]!.cells)),
  );
}

/** The saved form: `{ version: 2, marginals: [{ field, counts }], pairs: [{ given, target, cells }] }`. */
export function stateToJSON(state: ConditionalState): unknown {
  return {
    version: STATE_VERSION,
    marginals: state.fields.map((field, i) => ({ field, counts: state.marginals[i]!.toJSON() })),
    pairs: state.pairs.map((p) => ({ given: p.given, target: p.target, cells: p.cells.toJSON() })),
  };
}

const stateSchema = z.strictObject({
  version: z.literal(STATE_VERSION, {
    error: `expected version ${STATE_VERSION}: the model was saved by another version of the conditional detector; refit it`,
  }),
  marginals: z.array(z.strictObject({ field: z.string(), counts: z.unknown() })),
  pairs: z.array(z.strictObject({ given: z.string(), target: z.string(), cells: z.unknown() })),
});

/** Reads a saved state for this layout; throws a `ModelError` naming the key path of any problem. */
export function stateFromJSON(json: unknown, { rules, maxDistinct, codes }: StateLayout): ConditionalState {
  const data = parseState(stateSchema, json);
  const read = (saved: unknown, where: string, coding: Coding) => {
    const counter = BoundedCounter.fromJSON(saved, where, coding);
    if (counter.maxDistinct !== maxDistinct) {
      invalidState(`${where}.maxDistinct`, `is ${counter.maxDistinct} but the options say ${maxDistinct}`);
    }
    return counter;
  };
  const fields = marginalFields(rules);
  const savedFields = data.marginals.map((m) => m.field);
  if (savedFields.join("\n") !== fields.join("\n")) {
    invalidState(
      "state.marginals",
      `count the fields ${savedFields.join(", ") || "(none)"} but the options use ${fields.join(", ")}`,
    );
  }
  if (data.pairs.length !== rules.length) {
    invalidState("state.pairs", `holds ${data.pairs.length} pairs but the options list ${rules.length}`);
  }
  const marginals = data.marginals.map((m, i) =>
    read(m.counts, `state.marginals[${i}].counts`, fieldCoding(fields[i]!, codes)),
  );
  const cells = data.pairs.map((saved, i) => {
    const rule = rules[i]!;
    const where = `state.pairs[${i}]`;
    if (saved.given !== rule.given || saved.target !== rule.target) {
      invalidState(
        where,
        `is ${saved.target}|${saved.given} but the options list ${rule.target}|${rule.given} here`,
      );
    }
    const counter = read(saved.cells, `${where}.cells`, pairCoding(rule, codes));
    for (const [key] of counter.entries()) {
      try {
        splitPairKey(key);
      } catch {
        invalidState(`${where}.cells.values`, `${JSON.stringify(key.slice(0, 40))} is not a pair key`);
      }
    }
    return counter;
  });
  // Every request adds once to each counter, so all totals agree; anything else was edited.
  const total = marginals[0]?.total ?? 0;
  const mismatch = [
    ...marginals.map((c, i) => [`state.marginals[${i}].counts.total`, c] as const),
    ...cells.map((c, i) => [`state.pairs[${i}].cells.total`, c] as const),
  ].find(([, c]) => c.total !== total);
  if (mismatch) {
    invalidState(mismatch[0], `is ${mismatch[1].total} but ${fields[0]} counted ${total} requests`);
  }
  return assemble(rules, fields, marginals, cells);
}
