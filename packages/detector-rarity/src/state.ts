import { BoundedCounter, invalidState, parseState, z, type DetectorContext } from "@oddity/core";
import { ClientSample } from "./client-sample.js";
import type { FieldRule } from "./options.js";

/** Version of the saved state; bumped whenever its shape changes. */
export const STATE_VERSION = 2;

/** The client of a request without a client key: it counts as a client of its own, unknown to the others. */
export const NO_CLIENT = -1;

/** The value counts of one field. */
export interface FieldCounts {
  field: string;
  counter: BoundedCounter;
  /**
   * The client (hash, or {@link NO_CLIENT}) that first brought each value, so a value seen once names the
   * client that produced it. Only values seen once and counted exactly matter; others are pruned. Null
   * for the client field itself, whose values are their own clients.
   */
  owners: Map<string, number> | null;
  /**
   * Which values (by the field's value code in the pipeline) this state has seen, so a record's owner is
   * recorded at a value's first sight for the cost of an array read. Never saved.
   */
  seenCodes: Uint8Array;
}

/** What rarity learns from a baseline: value counts per field, in the order of the options. */
export interface RarityState {
  /** The distinct clients of the baseline (by the `client` option's field). */
  clients: ClientSample;
  /** The client hash + 1 of each client key seen (0: not yet), by the client field's value code. Never saved. */
  clientByCode: Float64Array;
  fields: FieldCounts[];
}

/** What a state holds counts of: the configured fields and client, counted by the pipeline's codes. */
export interface StateLayout {
  rules: readonly FieldRule[];
  client: string | null;
  /** The pipeline's value codes (the detector context's `codes`). */
  codes: DetectorContext["codes"];
}

/** Empty counts for the configured fields. */
export function emptyState({ rules, client, codes }: StateLayout): RarityState {
  return {
    clients: new ClientSample(),
    clientByCode: new Float64Array(0),
    fields: rules.map((r) => ({
      field: r.field,
      counter: new BoundedCounter({ maxDistinct: r.maxDistinct, codes: codes(r.field) }),
      owners: client === null || r.field === client ? null : new Map(),
      seenCodes: new Uint8Array(0),
    })),
  };
}

/** `array`, or a copy at least twice as long when `index` is past its end (a typed array cannot grow). */
export function roomFor<T extends Uint8Array | Float64Array>(
  array: T,
  index: number,
  make: (n: number) => T,
): T {
  if (index < array.length) return array;
  const grown = make(Math.max(64, 2 * (index + 1)));
  grown.set(array);
  return grown;
}

/** Drops the owners no finding can need: values seen more than once, or not counted exactly. */
export function pruneOwners({ counter, owners }: FieldCounts): void {
  if (owners === null) return;
  for (const value of owners.keys()) {
    if (counter.count(value) !== 1 || !counter.isExact(value)) owners.delete(value);
  }
}

/** The once-seen, exactly counted values with their clients, sorted by value (the saved form). */
export function oneOffOwners({ counter, owners }: FieldCounts): Array<[string, number]> {
  if (owners === null) return [];
  const out: Array<[string, number]> = [];
  for (const [value, count] of counter.entries()) if (count === 1) out.push([value, owners.get(value)!]);
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Baseline size: every field counts every record (absent values as `-`), so any field's total. */
export function baselineTotal(state: RarityState): number {
  return state.fields[0]?.counter.total ?? 0;
}

/** A new state with the counts of both. */
export function mergeStates(a: RarityState, b: RarityState): RarityState {
  return {
    clients: ClientSample.merge(a.clients, b.clients),
    clientByCode: new Float64Array(0),
    fields: a.fields.map((f, i) => {
      const other = b.fields[i]!;
      let owners: Map<string, number> | null = null;
      if (f.owners !== null && other.owners !== null) {
        owners = new Map(f.owners);
        // A value both sides saw is seen at least twice, so which owner is kept does not matter.
        for (const [value, owner] of other.owners)
          owners.set(value, Math.min(owner, owners.get(value) ?? owner));
      }
      const merged = {
        field: f.field,
        counter: BoundedCounter.merge(f.counter, other.counter),
        owners,
        seenCodes: new Uint8Array(0),
      };
      pruneOwners(merged);
      return merged;
    }),
  };
}

/** The saved form: `{ version: 2, clients, fields: [{ field, counter, oneOffs }] }`. */
export function stateToJSON(state: RarityState): unknown {
  return {
    version: STATE_VERSION,
    clients: state.clients.toJSON(),
    fields: state.fields.map((f) => ({
      field: f.field,
      counter: f.counter.toJSON(),
      oneOffs: f.owners === null ? null : oneOffOwners(f),
    })),
  };
}

const stateSchema = z.strictObject({
  version: z.literal(STATE_VERSION, {
    error: `expected version ${STATE_VERSION}: the model was saved by another version of the rarity detector; refit it`,
  }),
  clients: z.strictObject({ hashes: z.array(z.number()), saturated: z.boolean() }),
  fields: z.array(
    z.strictObject({
      field: z.string(),
      counter: z.unknown(),
      oneOffs: z
        .array(
          z.tuple([
            z.string(),
            z
              .number()
              .int()
              .min(NO_CLIENT)
              .max(2 ** 32 - 1),
          ]),
        )
        .nullable(),
    }),
  ),
});

/** Reads a saved state for this layout; throws a `ModelError` naming the key path of any problem. */
export function stateFromJSON(json: unknown, { rules, client, codes }: StateLayout): RarityState {
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
      codes: codes(rule.field),
    });
    if (counter.maxDistinct !== rule.maxDistinct) {
      invalidState(
        `${where}.counter.maxDistinct`,
        `is ${counter.maxDistinct} but the options say ${rule.maxDistinct}`,
      );
    }
    const tracked = client !== null && rule.field !== client;
    if ((saved.oneOffs !== null) !== tracked)
      invalidState(
        `${where}.oneOffs`,
        tracked ? "expected the clients of the values seen once" : "expected null for this field",
      );
    let owners: Map<string, number> | null = null;
    if (saved.oneOffs !== null) {
      owners = new Map(saved.oneOffs);
      for (const [value, count] of counter.entries())
        if (count === 1 && !owners.has(value))
          invalidState(`${where}.oneOffs`, `lacks the client of ${JSON.stringify(value)}, seen once`);
      if (
        owners.size !== saved.oneOffs.length ||
        [...owners.keys()].some((v) => counter.count(v) !== 1 || !counter.isExact(v))
      )
        invalidState(`${where}.oneOffs`, "expected each value seen once exactly, listed once");
    }
    return { field: rule.field, counter, owners, seenCodes: new Uint8Array(0) };
  });
  const total = fields[0]?.counter.total ?? 0;
  fields.forEach((f, i) => {
    if (f.counter.total !== total)
      invalidState(
        `state.fields[${i}].counter.total`,
        `is ${f.counter.total} but fields[0] counted ${total} requests`,
      );
  });
  return {
    clients: ClientSample.fromJSON(data.clients, "state.clients"),
    clientByCode: new Float64Array(0),
    fields,
  };
}
