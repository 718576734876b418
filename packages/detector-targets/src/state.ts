import { invalidState, ownString, parseState, z } from "@oddity/core";
import {
  checkSavedCap,
  HashSample,
  mergeSamples,
  readCount,
  readSample,
  readText,
  sampleSchema,
  selectionHash,
} from "@oddity/detector-client";
import { PairSample } from "./pair-sample.js";
import type { PendingCounts } from "./pending.js";

/** Version of the saved state; bumped whenever its shape changes. */
export const STATE_VERSION = 1;

/** One client's baseline counts: enough to tell whether it got nothing but errors. */
export interface ClientCounts {
  hash: number;
  requests: number;
  errors: number;
}

/** What the targets detector learns from a baseline. */
export interface TargetsState {
  clients: HashSample<ClientCounts>;
  /** (path, client) pairs, each once however often the client asked. */
  pairs: PairSample;
  /** Counts tallied by value code while observing, not yet in the samples (see {@link settleState}). */
  pending: PendingCounts | null;
}

/** The sizes a state is built with (from the options). */
export interface StateShape {
  maxClients: number;
  maxPairs: number;
}

/** Empty statistics. */
export function emptyState({ maxClients, maxPairs }: StateShape): TargetsState {
  return { clients: new HashSample(maxClients), pairs: new PairSample(maxPairs), pending: null };
}

/** The client's tally, entered if the sample admits it; undefined when the client is outside the sample. */
function tallyOf(clients: HashSample<ClientCounts>, client: string): ClientCounts | undefined {
  let tally = clients.map.get(client);
  if (tally === undefined) {
    const hash = selectionHash(client);
    // A copy, so a kept client never keeps the log line its key was cut from alive.
    if (clients.admits(hash)) clients.insert(ownString(client), (tally = { hash, requests: 0, errors: 0 }));
  }
  return tally;
}

/** Adds the counts tallied by code to the samples (they stay unpruned until {@link settleState}). */
export function drainPending(state: TargetsState): void {
  state.pending?.drain({
    client: (client, requests, errors) => countRequests({ state, client, path: null, requests, errors }),
    pair: (path, client) => state.pairs.add(path, client),
  });
}

/** Adds `requests` requests of `client` to `path`, `errors` of them answered an error. */
export function countRequests({
  state,
  client,
  path,
  requests,
  errors,
}: {
  state: TargetsState;
  client: string;
  path: string | null;
  requests: number;
  errors: number;
}): void {
  const tally = tallyOf(state.clients, client);
  if (tally !== undefined) {
    tally.requests += requests;
    tally.errors += errors;
  }
  if (path !== null) state.pairs.add(path, client);
}

/** Adds the counts tallied by code to the samples and prunes them: the state `merge`, `prepare` and `toJSON` read. */
export function settleState(state: TargetsState): void {
  drainPending(state);
  state.clients.settle();
  state.pairs.settle();
}

/** A new state with the counts of both; equal to fitting both baselines as one. */
export function mergeStates(a: TargetsState, b: TargetsState): TargetsState {
  settleState(a);
  settleState(b);
  return {
    pending: null,
    clients: mergeSamples({
      a: a.clients,
      b: b.clients,
      add: (into, from) => {
        into.requests += from.requests;
        into.errors += from.errors;
      },
      copy: (entry) => ({ ...entry }),
    }),
    pairs: PairSample.merge(a.pairs, b.pairs),
  };
}

function byKey(a: readonly [string, ...unknown[]], b: readonly [string, ...unknown[]]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function byPair(a: readonly [string, string], b: readonly [string, string]): number {
  return byKey(a, b) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

/**
 * The saved form, sorted so equal statistics save to equal text:
 * `{ version, clients: { max, ceiling, values: [[client, requests, errors]] },
 * pairs: { max, ceiling, values: [[path, client]] } }`.
 */
export function stateToJSON(state: TargetsState): unknown {
  settleState(state);
  return {
    version: STATE_VERSION,
    clients: {
      max: state.clients.max,
      ceiling: state.clients.ceiling,
      values: [...state.clients.map].sort(byKey).map(([key, t]) => [key, t.requests, t.errors]),
    },
    pairs: {
      max: state.pairs.max,
      ceiling: state.pairs.ceiling,
      values: [...state.pairs.pairs()].sort(byPair),
    },
  };
}

const stateSchema = z.strictObject({
  version: z.literal(STATE_VERSION, {
    error: `expected version ${STATE_VERSION}: the model was saved by another version of the targets detector; refit it`,
  }),
  clients: sampleSchema,
  pairs: sampleSchema,
});

/** Reads a saved state; throws a `ModelError` naming the key path of any problem. */
export function stateFromJSON(json: unknown, shape: StateShape): TargetsState {
  const data = parseState(stateSchema, json);
  const clients = readSample<ClientCounts>({
    saved: data.clients,
    max: shape.maxClients,
    where: "state.clients",
    width: 3,
    read: (row, hash, at) => {
      const requests = readCount(row[1], `${at}[1]`);
      const errors = readCount(row[2], `${at}[2]`);
      if (requests < 1) invalidState(`${at}[1]`, "expected at least 1 request");
      if (errors > requests) invalidState(`${at}[2]`, "is more than the client's requests");
      return { hash, requests, errors };
    },
  });
  const pairs = new PairSample(shape.maxPairs);
  const saved = data.pairs;
  checkSavedCap({ saved, max: shape.maxPairs, where: "state.pairs" });
  pairs.ceiling = saved.ceiling;
  saved.values.forEach((row, i) => {
    const at = `state.pairs.values[${i}]`;
    if (row.length !== 2) invalidState(at, `expected 2 items, got ${row.length}`);
    const path = readText(row[0], `${at}[0]`);
    const client = readText(row[1], `${at}[1]`);
    if (!pairs.restore(path, client)) {
      invalidState(at, "is listed twice, or hashes at or above the sample's ceiling, so it cannot be in it");
    }
  });
  return { clients, pairs, pending: null };
}
