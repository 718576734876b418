import {
  API_VERSION,
  NO_FINDINGS,
  canonicalField,
  defineDetector,
  formatCount,
  type DetectorContext,
  type Finding,
} from "@oddity/core";
import { errorPredicate, keyFields, keyReader, testClient, type TestLimits } from "@oddity/detector-client";
import { countSpecs, foldCounts } from "./counts.js";
import { targetFinding } from "./findings.js";
import { targetsOptionsSchema, type TargetsOptions } from "./options.js";
import { PendingCounts } from "./pending.js";
import {
  countRequests,
  drainPending,
  emptyState,
  mergeStates,
  settleState,
  stateFromJSON,
  stateToJSON,
  type TargetsState,
} from "./state.js";

/** A path's verdict: the finding its error responses carry. */
type Targets = Map<string, readonly Finding[]>;

function warnAbout(context: DetectorContext, state: TargetsState): void {
  const { clients, pairs } = state;
  if (clients.overflowed) {
    context.warn(
      `more than ${formatCount(clients.max)} clients, so a hash-chosen sample of ${formatCount(clients.map.size)} is counted (raise maxClients to count more)`,
    );
  }
  if (pairs.overflowed) {
    context.warn(
      `more than ${formatCount(pairs.max)} distinct (path, client) pairs, so a hash-chosen sample of ${formatCount(pairs.size)} is counted; clients per path are estimated from it (raise maxPairs, or use a coarser path field)`,
    );
  }
}

/**
 * Drive-by targets: a path that clients who got nothing but errors from the site converge on, far more
 * than such clients ask for other paths (beta-binomial tail over the path's clients). A scan spread over
 * rotating addresses, one or two requests each, shows no client's behaviour as odd; the path the
 * addresses share does. The finding goes to the error responses to that path.
 */
export const targets = defineDetector<TargetsOptions, TargetsState>({
  meta: {
    name: "targets",
    description:
      "Flags error responses on paths that clients who got nothing but errors converge on (scans over rotating addresses)",
    apiVersion: API_VERSION,
    options: targetsOptionsSchema,
  },
  create(options, context) {
    const fields = keyFields(options);
    const readKey = keyReader(fields, context);
    const pathField = canonicalField(options.path);
    const readPath = context.fieldReader(pathField);
    // A one-field key counts by the field's shared value codes (see PendingCounts); a composite key has
    // none and goes to the samples directly.
    const clientCodes = fields.length === 1 ? context.codes(fields[0]!) : null;
    const pathCodes = context.codes(pathField);
    const isError = errorPredicate(options.errorStatus);
    const limits: TestLimits = { ...options, minOdd: options.minClients };
    const shape = { maxClients: options.maxClients, maxPairs: options.maxPairs };
    // Verdicts derive from the counts; cached per state.
    const prepared = new WeakMap<TargetsState, Targets>();

    function prepare(state: TargetsState): Targets {
      settleState(state);
      let clients = 0;
      let errorOnly = 0;
      for (const tally of state.clients.map.values()) {
        clients++;
        if (tally.errors === tally.requests) errorOnly++;
      }
      // Per path, its clients in the sample and how many of them got nothing but errors.
      const perPath = new Map<string, { clients: number; errorOnly: number }>();
      for (const [path, client] of state.pairs.pairs()) {
        const tally = state.clients.map.get(client);
        if (tally === undefined) continue;
        let entry = perPath.get(path);
        if (entry === undefined) perPath.set(path, (entry = { clients: 0, errorOnly: 0 }));
        entry.clients++;
        if (tally.errors === tally.requests) entry.errorOnly++;
      }
      const found: Targets = new Map();
      for (const [path, entry] of perPath) {
        const test = testClient(
          {
            odd: entry.errorOnly,
            requests: entry.clients,
            populationOdd: errorOnly,
            populationRequests: clients,
          },
          limits,
        );
        if (!test.flagged) continue;
        const facts = {
          detector: context.id,
          field: pathField,
          path,
          ...entry,
          test,
          threshold: options.threshold,
          maxBits: options.maxBits,
        };
        found.set(path, Object.freeze([targetFinding(facts)]));
      }
      warnAbout(context, state);
      prepared.set(state, found);
      return found;
    }

    return {
      init: () => emptyState(shape),
      observe(state, record) {
        const client = readKey(record);
        if (client === null) return;
        const error = isError(record.status);
        const path = readPath(record);
        const code = clientCodes === null ? -1 : clientCodes.code(client);
        if (code >= 0) {
          const pending = (state.pending ??= new PendingCounts(clientCodes!, pathCodes));
          pending.addClient(code, error);
          if (path === null) return;
          const pathCode = pathCodes.code(path);
          if (pathCode >= 0) {
            // Bounded: pending pairs go to the sample, which prunes, once they could outgrow it.
            if (pending.addPair(pathCode, code) > options.maxPairs) drainPending(state);
            return;
          }
        } else {
          countRequests({ state, client, path: null, requests: 1, errors: error ? 1 : 0 });
        }
        if (path !== null) state.pairs.add(path, client);
      },
      merge: mergeStates,
      counts: countSpecs({ fields, path: pathField }),
      // Every error response to a flagged path carries its finding, whoever the client.
      footprints: [[pathField, "status"]],
      foldCounts(state, tables) {
        foldCounts({ state, tables, fields, isError });
      },
      prepare(state) {
        prepare(state);
      },
      score(state, record) {
        const found = prepared.get(state) ?? prepare(state);
        if (found.size === 0 || !isError(record.status)) return NO_FINDINGS;
        const path = readPath(record);
        return (path === null ? undefined : found.get(path)) ?? NO_FINDINGS;
      },
      toJSON: stateToJSON,
      fromJSON: (json) => stateFromJSON(json, shape),
    };
  },
});
