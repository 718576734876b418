import { BoundedCounter, invalidState, parseState, splitPairKey, z } from "@oddity/core";
import type { PairRule } from "./options.js";

/** Version of the saved state; bumped whenever its shape changes. */
export const STATE_VERSION = 1;

/** The counts behind P(target | given) for one pair. */
export interface PairCounts {
  given: string;
  target: string;
  /** count(a) per given value a. */
  givens: BoundedCounter;
  /** count(b) per target value b: the marginal P(b) for lift. */
  targets: BoundedCounter;
  /** count(a, b) per pair, keyed by `pairKey(a, b)`. */
  cells: BoundedCounter;
}

/** What the conditional detector learns from a baseline: one table per pair, in the order of the options. */
export interface ConditionalState {
  pairs: PairCounts[];
}

/** Empty tables for the configured pairs. */
export function emptyState(rules: readonly PairRule[], maxDistinct: number): ConditionalState {
  const counter = () => new BoundedCounter({ maxDistinct });
  return {
    pairs: rules.map((r) => ({
      given: r.given,
      target: r.target,
      givens: counter(),
      targets: counter(),
      cells: counter(),
    })),
  };
}

/** A new state with the counts of both. */
export function mergeStates(a: ConditionalState, b: ConditionalState): ConditionalState {
  return {
    pairs: a.pairs.map((p, i) => {
      const q = b.pairs[i]!;
      return {
        given: p.given,
        target: p.target,
        givens: BoundedCounter.merge(p.givens, q.givens),
        targets: BoundedCounter.merge(p.targets, q.targets),
        cells: BoundedCounter.merge(p.cells, q.cells),
      };
    }),
  };
}

/** The saved form: `{ version: 1, pairs: [{ given, target, givens, targets, cells }] }`. */
export function stateToJSON(state: ConditionalState): unknown {
  return {
    version: STATE_VERSION,
    pairs: state.pairs.map((p) => ({
      given: p.given,
      target: p.target,
      givens: p.givens.toJSON(),
      targets: p.targets.toJSON(),
      cells: p.cells.toJSON(),
    })),
  };
}

const stateSchema = z.strictObject({
  version: z.literal(STATE_VERSION, {
    error: `expected version ${STATE_VERSION}: the model was saved by another version of the conditional detector; refit it`,
  }),
  pairs: z.array(
    z.strictObject({
      given: z.string(),
      target: z.string(),
      givens: z.unknown(),
      targets: z.unknown(),
      cells: z.unknown(),
    }),
  ),
});

/** Reads a saved state for these rules; throws a `ModelError` naming the key path of any problem. */
export function stateFromJSON(
  json: unknown,
  rules: readonly PairRule[],
  maxDistinct: number,
): ConditionalState {
  const data = parseState(stateSchema, json);
  if (data.pairs.length !== rules.length) {
    invalidState("state.pairs", `holds ${data.pairs.length} pairs but the options list ${rules.length}`);
  }
  return {
    pairs: data.pairs.map((saved, i): PairCounts => {
      const rule = rules[i]!;
      const where = `state.pairs[${i}]`;
      if (saved.given !== rule.given || saved.target !== rule.target) {
        invalidState(
          where,
          `is ${saved.target}|${saved.given} but the options list ${rule.target}|${rule.given} here`,
        );
      }
      const read = (key: "givens" | "targets" | "cells") => {
        const counter = BoundedCounter.fromJSON(saved[key], `${where}.${key}`);
        if (counter.maxDistinct !== maxDistinct) {
          invalidState(
            `${where}.${key}.maxDistinct`,
            `is ${counter.maxDistinct} but the options say ${maxDistinct}`,
          );
        }
        return counter;
      };
      const pair = {
        given: rule.given,
        target: rule.target,
        givens: read("givens"),
        targets: read("targets"),
        cells: read("cells"),
      };
      for (const key of ["targets", "cells"] as const) {
        if (pair[key].total !== pair.givens.total) {
          invalidState(
            `${where}.${key}.total`,
            `is ${pair[key].total} but givens counted ${pair.givens.total} requests`,
          );
        }
      }
      for (const [key] of pair.cells.entries()) {
        try {
          splitPairKey(key);
        } catch {
          invalidState(`${where}.cells.values`, `${JSON.stringify(key.slice(0, 40))} is not a pair key`);
        }
      }
      return pair;
    }),
  };
}
