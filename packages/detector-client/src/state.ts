import { invalidState, parseState, z } from "@oddity/core";
import { HashSample, mergeSamples, selectionHash } from "./hash-sample.js";
import { readCount, readSample, readText, sampleSchema } from "./saved-sample.js";
import type { PendingCounts } from "./pending.js";
import { NAMED_STATUSES } from "./statuses.js";

/** Version of the saved state; bumped whenever its shape changes. */
export const STATE_VERSION = 1;

/** One client's baseline counts. */
export interface ClientTally {
  hash: number;
  requests: number;
  /** Responses with a status in the error range. */
  errors: number;
  /** Of those, how many had each of NAMED_STATUSES (named in messages: a scanner's are mostly 404). */
  byStatus: number[];
}

/**
 * One path's baseline counts and who asked for it: the two smallest client keys (code-unit order) among
 * all clients that did, which is all a lonely-path test needs (one client or more) and merges exactly.
 */
export interface PathTally {
  hash: number;
  requests: number;
  /** Of those, error responses. */
  errors: number;
  first: string;
  second: string | null;
}

/** What the client detector learns from a baseline. */
export interface ClientState {
  /** Every request with a client key, whether or not its client is in the sample. */
  requests: number;
  /** Of those, error responses. */
  errors: number;
  clients: HashSample<ClientTally>;
  paths: HashSample<PathTally>;
  /** Counts tallied by value code while observing, not yet in the samples (see {@link settleState}). */
  pending: PendingCounts | null;
}

/** The sizes a state is built with (from the options). */
export interface StateShape {
  maxClients: number;
  maxPaths: number;
  /** Fields in the client key: with more than one, a key is a JSON array of that many strings. */
  keyWidth?: number;
}

/** True when `key` is a client key of `width` fields. */
export function isClientKey(key: string, width: number): boolean {
  if (width <= 1) return true;
  try {
    const values: unknown = JSON.parse(key);
    return Array.isArray(values) && values.length === width && values.every((v) => typeof v === "string");
  } catch {
    return false;
  }
}

/** Empty statistics. */
export function emptyState({ maxClients, maxPaths }: StateShape): ClientState {
  return {
    requests: 0,
    errors: 0,
    clients: new HashSample(maxClients),
    paths: new HashSample(maxPaths),
    pending: null,
  };
}

/**
 * Adds counts of client `key` to the sample (the population totals are the caller's) and returns its
 * tally for the caller to add the statuses; undefined when the client is outside the sample.
 */
export function countClient(
  state: ClientState,
  key: string,
  requests: number,
  errors: number,
): ClientTally | undefined {
  const { clients } = state;
  let tally = clients.map.get(key);
  if (tally === undefined) {
    const hash = selectionHash(key);
    if (!clients.admits(hash)) return undefined;
    tally = { hash, requests: 0, errors: 0, byStatus: NAMED_STATUSES.map(() => 0) };
    clients.insert(key, tally);
  }
  tally.requests += requests;
  tally.errors += errors;
  return tally;
}

/** Adds requests to `path` by the clients `first` and `second` (the two smallest that asked it, or one). */
export function countPath(
  state: ClientState,
  path: string,
  requests: number,
  errors: number,
  first: string,
  second: string | null,
): void {
  const { paths } = state;
  const tally = paths.map.get(path);
  if (tally === undefined) {
    const hash = selectionHash(path);
    if (paths.admits(hash)) paths.insert(path, { hash, requests, errors, first, second });
    return;
  }
  tally.requests += requests;
  tally.errors += errors;
  admitAsker(tally, first);
  if (second !== null) admitAsker(tally, second);
}

/** Adds the counts tallied by code to the samples and prunes them: the state `merge` and `toJSON` read. */
export function settleState(state: ClientState): void {
  state.pending?.drain({
    client: (key, requests, errors, byStatus, offset) => {
      const tally = countClient(state, key, requests, errors);
      if (tally === undefined) return;
      for (let i = 0; i < tally.byStatus.length; i++) tally.byStatus[i]! += byStatus[offset + i]!;
    },
    path: (path, requests, errors, first, second) => countPath(state, path, requests, errors, first, second),
  });
  state.clients.settle();
  state.paths.settle();
}

/** Keeps the two smallest distinct client keys among the tally's and `key`. */
function admitAsker(tally: PathTally, key: string): void {
  if (key === tally.first || key === tally.second) return;
  if (key < tally.first) {
    tally.second = tally.first;
    tally.first = key;
  } else if (tally.second === null || key < tally.second) {
    tally.second = key;
  }
}

/**
 * True when one client alone asked for the path and was answered an error: a probe. Paths one client
 * alone read successfully are not counted: a crawler alone reads hundreds of pages that exist.
 */
export function isLonelyProbe(tally: PathTally): boolean {
  return tally.second === null && tally.errors > 0;
}

/** A new state with the counts of both; equal to fitting both baselines as one. */
export function mergeStates(a: ClientState, b: ClientState): ClientState {
  settleState(a);
  settleState(b);
  return {
    pending: null,
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    clients: mergeSamples({
      a: a.clients,
      b: b.clients,
      add: (into, from) => {
        into.requests += from.requests;
        into.errors += from.errors;
        from.byStatus.forEach((n, i) => (into.byStatus[i]! += n));
      },
      copy: (e) => ({ ...e, byStatus: [...e.byStatus] }),
    }),
    paths: mergeSamples({
      a: a.paths,
      b: b.paths,
      add: (into, from) => {
        into.requests += from.requests;
        into.errors += from.errors;
        admitAsker(into, from.first);
        if (from.second !== null) admitAsker(into, from.second);
      },
      copy: (e) => ({ ...e }),
    }),
  };
}

function byKey(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/**
 * The saved form, sorted by key so equal statistics save to equal text:
 * `{ version, requests, errors, clients: { max, ceiling, values: [[key, requests, errors, [n400, n401, n403, n404, n405, n500]]] },
 * paths: { max, ceiling, values: [[path, requests, errors, firstClient, secondClient | null]] } }`.
 */
export function stateToJSON(state: ClientState): unknown {
  settleState(state);
  return {
    version: STATE_VERSION,
    requests: state.requests,
    errors: state.errors,
    clients: {
      max: state.clients.max,
      ceiling: state.clients.ceiling,
      values: [...state.clients.map]
        .sort(byKey)
        .map(([key, t]) => [key, t.requests, t.errors, [...t.byStatus]]),
    },
    paths: {
      max: state.paths.max,
      ceiling: state.paths.ceiling,
      values: [...state.paths.map]
        .sort(byKey)
        .map(([path, t]) => [path, t.requests, t.errors, t.first, t.second]),
    },
  };
}

const stateSchema = z.strictObject({
  version: z.literal(STATE_VERSION, {
    error: `expected version ${STATE_VERSION}: the model was saved by another version of the client detector; refit it`,
  }),
  requests: z.unknown(),
  errors: z.unknown(),
  clients: sampleSchema,
  paths: sampleSchema,
});

function statusCounts(value: unknown, where: string): number[] {
  if (!Array.isArray(value) || value.length !== NAMED_STATUSES.length) {
    invalidState(where, `expected ${NAMED_STATUSES.length} counts, of statuses ${NAMED_STATUSES.join(", ")}`);
  }
  return value.map((n, i) => readCount(n, `${where}[${i}]`));
}

/** Reads a saved state; throws a `ModelError` naming the key path of any problem. */
export function stateFromJSON(json: unknown, shape: StateShape): ClientState {
  const data = parseState(stateSchema, json);
  const requests = readCount(data.requests, "state.requests");
  const errors = readCount(data.errors, "state.errors");
  if (errors > requests) invalidState("state.errors", `is ${errors}, more than the ${requests} requests`);
  let clientRequests = 0;
  const keyWidth = shape.keyWidth ?? 1;
  const clients = readSample<ClientTally>({
    saved: data.clients,
    max: shape.maxClients,
    where: "state.clients",
    width: 4,
    read: (row, hash, at) => {
      if (!isClientKey(row[0] as string, keyWidth)) {
        invalidState(
          `${at}[0]`,
          `expected a JSON list of ${keyWidth} strings: the options' key has ${keyWidth} fields`,
        );
      }
      const tally = {
        hash,
        requests: readCount(row[1], `${at}[1]`),
        errors: readCount(row[2], `${at}[2]`),
        byStatus: statusCounts(row[3], `${at}[3]`),
      };
      if (tally.requests < 1) invalidState(`${at}[1]`, "expected at least 1 request");
      if (tally.errors > tally.requests) invalidState(`${at}[2]`, "is more than the client's requests");
      if (tally.byStatus.reduce((a, b) => a + b, 0) > tally.errors) {
        invalidState(`${at}[3]`, "counts more statuses than the client's errors");
      }
      clientRequests += tally.requests;
      return tally;
    },
  });
  if (clientRequests > requests) {
    invalidState(
      "state.clients",
      `count ${clientRequests} requests, more than the ${requests} in state.requests`,
    );
  }
  const paths = readSample<PathTally>({
    saved: data.paths,
    max: shape.maxPaths,
    where: "state.paths",
    width: 5,
    read: (row, hash, at) => {
      const first = readText(row[3], `${at}[3]`);
      const second = row[4] === null ? null : readText(row[4], `${at}[4]`);
      if (second !== null && !(first < second)) {
        invalidState(`${at}[4]`, "expected a client key after the first one in code-unit order");
      }
      const tally = {
        hash,
        requests: readCount(row[1], `${at}[1]`),
        errors: readCount(row[2], `${at}[2]`),
        first,
        second,
      };
      if (tally.requests < (second === null ? 1 : 2)) invalidState(`${at}[1]`, "is fewer than its clients");
      if (tally.requests > requests) invalidState(`${at}[1]`, `is more than the ${requests} requests`);
      if (tally.errors > tally.requests) invalidState(`${at}[2]`, "is more than the path's requests");
      return tally;
    },
  });
  return { requests, errors, clients, paths, pending: null };
}
