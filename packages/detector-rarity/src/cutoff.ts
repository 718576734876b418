import type { BoundedCounter } from "@oddity/core";
import type { FieldRule } from "./options.js";

/** Which limit decided a field's cut-off. */
export type LimitKind = "budget" | "threshold" | "minCount";

/** Where a field's rare values end: a value is flagged when its baseline count is below `belowCount`. */
export interface FieldCut {
  /** Flag a value when count(v) < belowCount. 0 flags nothing, 1 flags only never-seen values. */
  belowCount: number;
  /** The same limit as a probability, for findings: flag when P(v) < limit. */
  limit: number;
  /** The limit that is tightest and so sets `belowCount`. */
  by: LimitKind;
  /** Largest count a flagged value can have: 0 when only never-seen values are flagged, -1 for none. */
  maxFlaggedCount: number;
  /** Baseline requests whose value was seen exactly once (N₁), from the exactly counted values. */
  singletons: number;
  /**
   * Requests the budget sets aside before any seen value: N₁ for never-seen values (Good–Turing) plus,
   * once the field overflowed, twice the sketched requests (each may be a singleton and may be flagged).
   */
  reserve: number;
  /** True when the reserve alone exceeds the budget, so the budget flags nothing on this field. */
  budgetExhausted: boolean;
  /** Clients that produced at least one value seen once (C₁), and every client of the baseline (C). */
  oneOffClients: number;
  clients: number;
  /**
   * True when one-off values come from a minority of clients (C₁ / C at most `oneOffClients`): each such
   * client then counts once, not once per one-off request, in the reserve and in the cost of the values
   * seen once; repeated values are judged per request as always.
   */
  byMinority: boolean;
}

/** Who produced a field's one-off values: the baseline's one-off requests attributed to clients. */
export interface OneOffs {
  /** Requests whose value was seen exactly once (N₁). */
  singletons: number;
  /** Distinct clients among them (C₁), not counting requests without a client. */
  clients: number;
  /** One-off requests without a client: each counts as a client of its own (N₁⁻). */
  unattributed: number;
  /** Distinct clients in the baseline (C). */
  population: number;
}

/**
 * The count below which the budget flags values: the rarest whole count-groups whose requests, after the
 * reserve, add up to at most `budget × N`. Values with equal counts are never split, so the result does
 * not depend on the order values arrived in.
 */
function budgetCut(counter: BoundedCounter, budget: number, reserve: number, oneOffMass: number): number {
  const allowed = budget * counter.total;
  if (reserve > allowed) return 0;
  const mass = new Map<number, number>();
  for (const [, count] of counter.entries()) if (count > 1) mass.set(count, (mass.get(count) ?? 0) + count);
  if (oneOffMass > 0) mass.set(1, oneOffMass);
  let spent = reserve;
  let cut = 0;
  for (const count of [...mass.keys()].sort((a, b) => a - b)) {
    const next = spent + mass.get(count)!;
    if (next > allowed) break;
    spent = next;
    cut = count;
  }
  return cut + 1;
}

/** Computes a field's cut-off from its counts and rule; every active limit must hold (the tightest wins). */
export function computeCut({
  counter,
  rule,
  oneOffs,
  oneOffClients,
}: {
  counter: BoundedCounter;
  rule: FieldRule;
  oneOffs: OneOffs;
  /** Largest share of clients with one-off values for which the field stays on past the budget. */
  oneOffClients: number;
}): FieldCut {
  const total = counter.total;
  const { singletons, clients, unattributed, population } = oneOffs;
  // One-off values from a minority of clients are those clients' doing (a crawler, a scanner), not the
  // field's nature. For them each such client counts once, in the Good–Turing reserve and in the cost of
  // flagging the values seen once: a client asking 500 paths nobody else asks is one piece of evidence
  // that new values occur, not 500, so it cannot switch the field off. Repeated values are still judged
  // per request, so a scanner's one-offs never buy room for flagging more of the ordinary rare tail.
  const byMinority = singletons > 0 && population > 0 && clients <= oneOffClients * population;
  const perRequest = singletons + 2 * counter.spilled;
  const capped = clients + unattributed + 2 * counter.spilled;
  const reserve = byMinority ? capped : perRequest;
  const limits: Array<[LimitKind, number]> = [];
  let budgetExhausted = false;
  if (rule.budget !== null) {
    let cut = budgetCut(counter, rule.budget, perRequest, singletons);
    if (byMinority)
      cut = Math.max(cut, Math.min(2, budgetCut(counter, rule.budget, capped, clients + unattributed)));
    budgetExhausted = total > 0 && cut === 0;
    limits.push(["budget", cut]);
  }
  if (rule.threshold !== null) limits.push(["threshold", rule.threshold * total]);
  if (rule.minCount !== null) limits.push(["minCount", rule.minCount]);
  let [by, belowCount] = limits[0]!;
  for (const [kind, below] of limits) if (below < belowCount) [by, belowCount] = [kind, below];
  if (total === 0) belowCount = 0;
  return {
    belowCount,
    limit: total === 0 ? 0 : by === "threshold" ? rule.threshold! : belowCount / total,
    by,
    maxFlaggedCount: Math.ceil(belowCount) - 1,
    singletons,
    reserve,
    budgetExhausted,
    oneOffClients: clients,
    clients: population,
    byMinority,
  };
}
