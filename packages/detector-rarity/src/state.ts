import { BoundedCounter, invalidState, parseState, valueCodes, z } from "@oddity/core";
import type { FieldRule } from "./options.js";

/** Version of the saved state; bumped whenever its shape changes. */
export const STATE_VERSION = 1;

/** The value counts of one field. */
export interface FieldCounts {
  field: string;
  counter: BoundedCounter;
}

/** What rarity learns from a baseline: value counts per field, in the order of the options. */
export interface RarityState {
  fields: FieldCounts[];
}

/** Empty counts for the configured fields. */
export function emptyState(rules: readonly FieldRule[]): RarityState {
  return {
    fields: rules.map((r) => ({
      field: r.field,
      counter: new BoundedCounter({ maxDistinct: r.maxDistinct, codes: valueCodes(r.field) }),
    })),
  };
}

/** Baseline size: every field counts every record (absent values as `-`), so any field's total. */
export function baselineTotal(state: RarityState): number {
  return state.fields[0]?.counter.total ?? 0;
}

/** A new state with the counts of both. */
export function mergeStates(a: RarityState, b: RarityState): RarityState {
  return {
    fields: a.fields.map((f, i) => ({
      field: f.field,
      counter: BoundedCounter.merge(f.counter, b.fields[i]!.counter),
    })),
  };
}

/** The saved form: `{ version: 1, fields: [{ field, counter }] }`. */
export function stateToJSON(state: RarityState): unknown {
  return {
    version: STATE_VERSION,
    fields: state.fields.map((f) => ({ field: f.field, counter: f.counter.toJSON() })),
  };
}

const stateSchema = z.strictObject({
  version: z.literal(STATE_VERSION, {
    error: `expected version ${STATE_VERSION}: the model was saved by another version of the rarity detector; refit it`,
  }),
  fields: z.array(z.strictObject({ field: z.string(), counter: z.unknown() })),
});

/** Reads a saved state for these rules; throws a `ModelError` naming the key path of any problem. */
export function stateFromJSON(json: unknown, rules: readonly FieldRule[]): RarityState {
  const data = parseState(stateSchema, json);
  if (data.fields.length !== rules.length) {
    invalidState("state.fields", `holds ${data.fields.length} fields but the options list ${rules.length}`);
  }
  const fields = data.fields.map((saved, i): FieldCounts => {
    const rule = rules[i]!;
    const where = `state.fields[${i}]`;
    if (saved.field !== rule.field)
      invalidState(
        `${where}.field`,
        `is ${JSON.stringify(saved.field)} but the options list "${rule.field}" here`,
      );
    const counter = BoundedCounter.fromJSON(saved.counter, `${where}.counter`, {
      codes: valueCodes(rule.field),
    });
    if (counter.maxDistinct !== rule.maxDistinct) {
      invalidState(
        `${where}.counter.maxDistinct`,
        `is ${counter.maxDistinct} but the options say ${rule.maxDistinct}`,
      );
    }
    return { field: rule.field, counter };
  });
  const total = fields[0]?.counter.total ?? 0;
  fields.forEach((f, i) => {
    if (f.counter.total !== total)
      invalidState(
        `state.fields[${i}].counter.total`,
        `is ${f.counter.total} but fields[0] counted ${total} requests`,
      );
  });
  return { fields };
}
