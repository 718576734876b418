import {
  API_VERSION,
  NO_FINDINGS,
  canonicalField,
  defineDetector,
  formatCount,
  type DetectorContext,
  type Finding,
} from "@oddity/core";
import { clientId } from "./client-sample.js";
import { countSpecs, foldCounts } from "./counts.js";
import { computeCut, type FieldCut, type OneOffs } from "./cutoff.js";
import { rareFinding, unseenFinding, type FindingContext } from "./findings.js";
import { rarityOptionsSchema, resolveFields, type FieldRule, type RarityOptions } from "./options.js";
import {
  baselineTotal,
  NO_CLIENT,
  emptyState,
  mergeStates,
  pruneOwners,
  roomFor,
  stateFromJSON,
  stateToJSON,
  type FieldCounts,
  type RarityState,
} from "./state.js";
import { frequencySummary } from "./summary.js";

/** Absent values count under `-`, as the log writes them and as `oddity profile` shows them. */
const ABSENT = "-";

/** Fields where at least this share of requests carry distinct values are reported as nearly unique. */
const NEARLY_UNIQUE = 0.5;

function percent(share: number): string {
  return `${Number((share * 100).toPrecision(2))}%`;
}

function warnAbout(context: DetectorContext, rule: FieldRule, findings: FindingContext): void {
  const { counter, cut } = findings;
  const total = counter.total;
  if (total === 0) return;
  if (counter.overflowed) {
    context.warn(
      `${rule.field}: more than ${formatCount(rule.maxDistinct)} distinct values, so a hash-chosen sample of ${formatCount(counter.distinct)} is counted exactly and the ${formatCount(counter.spilled)} requests with any other value in a count-min sketch (counts at most ${formatCount(counter.errorBound())} too high with ${percent(counter.confidence)} confidence)`,
    );
  } else if (total >= 100 && counter.distinct >= NEARLY_UNIQUE * total) {
    context.warn(
      `${rule.field}: nearly every value is unique (${formatCount(counter.distinct)} distinct in ${formatCount(total)} requests), so its rarity measures novelty rather than oddness; prefer a coarser field (path_template, endpoint)`,
    );
  }
  const spread =
    cut.clients > 0
      ? `; ${formatCount(cut.oneOffClients)} of ${formatCount(cut.clients)} clients (${percent(cut.oneOffClients / cut.clients)}) produced them${cut.byMinority ? ", each counted once" : ""}`
      : "";
  if (cut.budgetExhausted && cut.by === "budget") {
    context.warn(
      `${rule.field}: ${percent((cut.singletons + counter.spilled) / total)} of baseline requests carry a value seen once${counter.overflowed ? " or counted in the sketch" : ""}${spread}, more than the ${percent(rule.budget!)} alert budget, so new and rare values are normal here and rarity flags nothing on this field`,
    );
  }
}

/** Who produced the values seen once: their distinct clients, and those without a client. */
function oneOffsOf(fieldCounts: FieldCounts, population: number): OneOffs {
  const { counter, owners } = fieldCounts;
  const clients = new Set<number>();
  let singletons = 0;
  let unattributed = 0;
  for (const [value, count] of counter.entries()) {
    if (count !== 1) continue;
    singletons++;
    // The client field's own values are their clients.
    const owner = owners === null ? (value === ABSENT ? NO_CLIENT : clientId(value)) : owners.get(value)!;
    if (owner === NO_CLIENT) unattributed++;
    else clients.add(owner);
  }
  return { singletons, clients: clients.size, unattributed, population };
}

/**
 * Single-field rarity: P(v) = count(v) / N per configured field over the baseline; flags the rarest values
 * (by default those covering at most 1% of requests per field) and values never seen in the baseline.
 */
export const rarity = defineDetector<RarityOptions, RarityState>({
  meta: {
    name: "rarity",
    description:
      "Flags requests whose method, status, user agent, ip or path template is rare or unseen in the baseline",
    apiVersion: API_VERSION,
    options: rarityOptionsSchema,
  },
  create(options, context) {
    const rules = resolveFields(options);
    const readers = rules.map((r) => context.fieldReader(r.field));
    const client = options.client === null ? null : canonicalField(options.client);
    const readClient = client === null ? null : context.fieldReader(client);
    // The same per-field code tables the counters use, so a value's code is usually the one just looked up.
    const codes = rules.map((r) => context.codes(r.field));
    const clientCodes = client === null ? null : context.codes(client);
    const layout = { rules, client, codes: context.codes };
    // Cut-offs derive from the counts; cached per state and recomputed if the state grew since.
    const prepared = new WeakMap<RarityState, { total: number; findings: FindingContext[] }>();

    function prepare(state: RarityState): FindingContext[] {
      const population = state.clients.estimate();
      const findings = state.fields.map((fieldCounts, i) => ({
        detector: context.id,
        field: fieldCounts.field,
        counter: fieldCounts.counter,
        cut: computeCut({
          counter: fieldCounts.counter,
          rule: rules[i]!,
          oneOffs: oneOffsOf(fieldCounts, population),
          oneOffClients: options.oneOffClients,
        }),
        smoothing: options.smoothing,
      }));
      findings.forEach((f, i) => warnAbout(context, rules[i]!, f));
      prepared.set(state, { total: baselineTotal(state), findings });
      return findings;
    }

    function preparedFor(state: RarityState): FindingContext[] {
      const cached = prepared.get(state);
      return cached !== undefined && cached.total === baselineTotal(state) ? cached.findings : prepare(state);
    }

    return {
      init: () => emptyState(layout),
      observe(state, record) {
        const { fields } = state;
        let owner = NO_CLIENT;
        if (readClient !== null) {
          const key = readClient(record);
          if (key !== null && key !== ABSENT) {
            // The client's hash once per client and state: later records find it by the value's code.
            const code = clientCodes!.code(key);
            const known = code >= 0 && code < state.clientByCode.length ? state.clientByCode[code]! : 0;
            if (known !== 0) owner = known - 1;
            else {
              owner = clientId(key);
              state.clients.add(owner);
              if (code >= 0) {
                state.clientByCode = roomFor(state.clientByCode, code, (n) => new Float64Array(n));
                state.clientByCode[code] = owner + 1;
              }
            }
          }
        }
        for (let i = 0; i < fields.length; i++) {
          const fieldCounts = fields[i]!;
          const value = readers[i]!(record) ?? ABSENT;
          fieldCounts.counter.add(value);
          const owners = fieldCounts.owners;
          if (owners === null) continue;
          const code = codes[i]!.code(value);
          if (code >= 0) {
            if (code < fieldCounts.seenCodes.length && fieldCounts.seenCodes[code] === 1) continue;
            fieldCounts.seenCodes = roomFor(fieldCounts.seenCodes, code, (n) => new Uint8Array(n));
            fieldCounts.seenCodes[code] = 1;
          } else if (owners.has(value)) continue;
          owners.set(value, owner);
          // Only values seen once and counted exactly need an owner; the rest go, so owners stay bounded.
          if (owners.size > 2 * fieldCounts.counter.maxDistinct) pruneOwners(fieldCounts);
        }
      },
      merge: mergeStates,
      counts: countSpecs(rules, client),
      // A value's finding depends on the value alone.
      footprints: rules.map((r) => [r.field]),
      foldCounts,
      prepare(state) {
        prepare(state);
      },
      score(state, record) {
        const contexts = preparedFor(state);
        let found: Finding[] | null = null;
        for (let i = 0; i < contexts.length; i++) {
          const ctx = contexts[i]!;
          const cut: FieldCut = ctx.cut;
          if (cut.belowCount <= 0) continue;
          const value = readers[i]!(record) ?? ABSENT;
          const count = ctx.counter.count(value);
          if (count >= cut.belowCount) continue;
          (found ??= []).push(count === 0 ? unseenFinding(ctx, value) : rareFinding(ctx, value, count));
        }
        return found ?? NO_FINDINGS;
      },
      toJSON: stateToJSON,
      fromJSON: (json) => stateFromJSON(json, layout),
      summarize(state) {
        return preparedFor(state).map((ctx, i) => frequencySummary(context.id, state.fields[i]!, ctx.cut));
      },
    };
  },
});
