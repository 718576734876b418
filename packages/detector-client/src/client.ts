import {
  API_VERSION,
  NO_FINDINGS,
  canonicalField,
  defineDetector,
  formatCount,
  type DetectorContext,
  type Finding,
} from "@oddity/core";
import { keyOf, keyReader } from "./client-key.js";
import { clientFinding, clientMessage, type ClientFacts } from "./findings.js";
import { clientOptionsSchema, errorPredicate, keyFields, type ClientOptions } from "./options.js";
import {
  countClient,
  countPath,
  emptyState,
  isLonelyProbe,
  mergeStates,
  settleState,
  stateFromJSON,
  stateToJSON,
  type ClientState,
} from "./state.js";
import { countSpecs, foldCounts } from "./counts.js";
import { PendingCounts } from "./pending.js";
import { statusSlot } from "./statuses.js";
import { clientSummary } from "./summary.js";
import { testClient, type TestLimits } from "./verdict.js";

/** The findings a flagged client's records get, by what the record carries. */
interface Verdict {
  onError: readonly Finding[] | null;
  onLonely: readonly Finding[] | null;
  onBoth: readonly Finding[] | null;
}

function keyValues(fields: readonly string[], key: string): string[] {
  return fields.length === 1 ? [key] : (JSON.parse(key) as string[]);
}

function warnAbout(context: DetectorContext, state: ClientState): void {
  const { clients, paths } = state;
  if (clients.overflowed) {
    context.warn(
      `more than ${formatCount(clients.max)} clients, so a hash-chosen sample of ${formatCount(clients.map.size)} is judged (raise maxClients to judge more)`,
    );
  }
  if (paths.overflowed) {
    context.warn(
      `more than ${formatCount(paths.max)} distinct paths, so only a hash-chosen sample of ${formatCount(paths.map.size)} can count as probed; probe counts are lower bounds (raise maxPaths or use a coarser path field)`,
    );
  }
}

/**
 * Client behaviour: per client (by default its address) the share of error responses and of requests to
 * paths no other client asked for, each tested against the other clients' rate with a beta-binomial
 * upper tail; a flagged client's findings go to the records that carry the odd behaviour.
 */
export const client = defineDetector<ClientOptions, ClientState>({
  meta: {
    name: "client",
    description:
      "Flags clients (by ip, or a key you choose) with far more error responses, or paths only they asked that answered an error, than the rest",
    apiVersion: API_VERSION,
    options: clientOptionsSchema,
  },
  create(options, context) {
    const fields = keyFields(options);
    const readKey = keyReader(fields, context);
    const readPath = context.fieldReader(options.path);
    const isError = errorPredicate(options.errorStatus);
    const limits: TestLimits = options;
    const shape = { maxClients: options.maxClients, maxPaths: options.maxPaths, keyWidth: fields.length };
    // A one-field key counts by the field's shared value codes (see PendingCounts); a composite key has
    // no codes and goes to the samples directly.
    const clientCodes = fields.length === 1 ? context.codes(fields[0]!) : null;
    const pathCodes = context.codes(canonicalField(options.path));
    // Verdicts derive from the counts; cached per state and recomputed if the state grew since.
    const prepared = new WeakMap<ClientState, { requests: number; flagged: Map<string, Verdict> }>();

    function prepare(state: ClientState): Map<string, Verdict> {
      settleState(state);
      const lonelyBy = new Map<string, number>();
      let lonelyTotal = 0;
      for (const tally of state.paths.map.values()) {
        if (!isLonelyProbe(tally)) continue;
        // Distinct paths, not requests: a monitor polling a broken URL of its own is one probe.
        lonelyTotal++;
        lonelyBy.set(tally.first, (lonelyBy.get(tally.first) ?? 0) + 1);
      }
      const flagged = new Map<string, Verdict>();
      for (const [key, tally] of state.clients.map) {
        const lonely = lonelyBy.get(key) ?? 0;
        const errorTest = testClient(
          {
            odd: tally.errors,
            requests: tally.requests,
            populationOdd: state.errors,
            populationRequests: state.requests,
          },
          limits,
        );
        const lonelyTest = testClient(
          {
            odd: lonely,
            requests: tally.requests,
            populationOdd: lonelyTotal,
            populationRequests: state.requests,
          },
          limits,
        );
        if (!errorTest.flagged && !lonelyTest.flagged) continue;
        const facts: ClientFacts = {
          detector: context.id,
          fields,
          values: keyValues(fields, key),
          requests: tally.requests,
          errors: tally.errors,
          byStatus: tally.byStatus,
          lonely,
          errorTest,
          lonelyTest,
          threshold: options.threshold,
          maxBits: options.maxBits,
        };
        const message = clientMessage(facts);
        const finding = (log10p: number) => Object.freeze([clientFinding(facts, message, log10p)]);
        flagged.set(key, {
          onError: errorTest.flagged ? finding(errorTest.log10p) : null,
          onLonely: lonelyTest.flagged ? finding(lonelyTest.log10p) : null,
          onBoth:
            errorTest.flagged && lonelyTest.flagged
              ? finding(Math.min(errorTest.log10p, lonelyTest.log10p))
              : null,
        });
      }
      warnAbout(context, state);
      prepared.set(state, { requests: state.requests, flagged });
      return flagged;
    }

    function preparedFor(state: ClientState): Map<string, Verdict> {
      const cached = prepared.get(state);
      return cached !== undefined && cached.requests === state.requests ? cached.flagged : prepare(state);
    }

    return {
      init: () => emptyState(shape),
      observe(state, record) {
        const key = readKey(record);
        if (key === null) return;
        const status = record.status;
        const error = isError(status);
        const slot = error ? statusSlot(status) : -1;
        state.requests++;
        if (error) state.errors++;
        const path = readPath(record);
        const client = clientCodes === null ? -1 : clientCodes.code(key);
        if (client >= 0) {
          const pending = (state.pending ??= new PendingCounts(clientCodes!, pathCodes));
          pending.addClient(client, error, slot);
          if (path === null) return;
          const code = pathCodes.code(path);
          if (code >= 0) {
            pending.addPath(code, client, error);
            return;
          }
        } else {
          const tally = countClient(state, key, 1, error ? 1 : 0);
          if (tally !== undefined && slot >= 0) tally.byStatus[slot]!++;
        }
        if (path !== null) countPath(state, path, 1, error ? 1 : 0, key, null);
      },
      counts: countSpecs({ key: fields, path: options.path }),
      // A flagged client's finding goes to its error responses, and to the paths only it probed.
      footprints: [[...fields, options.path, "status"]],
      foldCounts: (state, tables) => foldCounts(state, tables, { keyOf, isError }),
      merge: mergeStates,
      prepare(state) {
        prepare(state);
      },
      score(state, record) {
        const flagged = preparedFor(state);
        if (flagged.size === 0) return NO_FINDINGS;
        const key = readKey(record);
        if (key === null) return NO_FINDINGS;
        const verdict = flagged.get(key);
        if (verdict === undefined) return NO_FINDINGS;
        const error = isError(record.status);
        let lonely = false;
        if (verdict.onLonely !== null) {
          const path = readPath(record);
          const tally = path === null ? undefined : state.paths.map.get(path);
          lonely = error && tally !== undefined && isLonelyProbe(tally) && tally.first === key;
        }
        if (error && verdict.onError !== null) return lonely ? verdict.onBoth! : verdict.onError;
        return lonely ? verdict.onLonely! : NO_FINDINGS;
      },
      toJSON: stateToJSON,
      fromJSON: (json) => stateFromJSON(json, shape),
      summarize(state) {
        const flagged = new Set(preparedFor(state).keys());
        return [
          clientSummary({
            detector: context.id,
            field: fields.join(", "),
            state,
            flagged,
            label: (key) => keyValues(fields, key).join(", "),
          }),
        ];
      },
    };
  },
});
