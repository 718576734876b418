import type { CountSpec, CountTables } from "@oddity/core";
import { clientId } from "./client-sample.js";
import type { FieldRule } from "./options.js";
import { NO_CLIENT, pruneOwners, type RarityState } from "./state.js";

/** Absent values count under `-`, as the log writes them (and as `observe` counts them). */
const ABSENT = "-";

const CLIENTS = "clients";
const valuesId = (field: string) => `values:${field}`;

/**
 * What `observe` learns, as grouped counts: each field's values, by client where one-off values are
 * attributed (a value seen once has a single row, whose client is its owner), and the distinct clients
 * for the population estimate.
 */
export function countSpecs(rules: readonly FieldRule[], client: string | null): CountSpec[] {
  const specs: CountSpec[] = rules.map((rule) => ({
    id: valuesId(rule.field),
    fields: client === null || rule.field === client ? [rule.field] : [rule.field, client],
  }));
  if (client !== null) specs.push({ id: CLIENTS, fields: [client] });
  return specs;
}

function rowsOf(tables: CountTables, id: string) {
  const rows = tables.get(id);
  if (rows === undefined) throw new Error(`no count rows for ${id}`);
  return rows;
}

/** The owner `observe` gives a record with this client key. */
function ownerOf(key: string | null | undefined): number {
  return key === null || key === undefined || key === ABSENT ? NO_CLIENT : clientId(key);
}

/**
 * Adds the count rows of {@link countSpecs} to a state, as observing the records would. Counters and
 * the client sample do not depend on the order or grouping of what they add; an owner is kept only for
 * a row seen once, and any value with a second row or a larger count is seen more than once, so pruning
 * drops it as `observe` does.
 */
export function foldCounts(state: RarityState, tables: CountTables): void {
  const clients = tables.get(CLIENTS);
  if (clients !== undefined) {
    for (const { values } of clients) {
      const owner = ownerOf(values[0]);
      if (owner !== NO_CLIENT) state.clients.add(owner);
    }
  }
  for (const fieldCounts of state.fields) {
    const { counter, owners } = fieldCounts;
    for (const { values, count } of rowsOf(tables, valuesId(fieldCounts.field))) {
      const value = values[0] ?? ABSENT;
      counter.add(value, count);
      if (owners === null || count !== 1) continue;
      owners.set(value, ownerOf(values[1]));
      if (owners.size > 2 * counter.maxDistinct) pruneOwners(fieldCounts);
    }
    pruneOwners(fieldCounts);
  }
}
