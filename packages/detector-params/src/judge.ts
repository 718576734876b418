import { formatCount, formatProbability, quoteValue, surprisal, type Finding } from "@oddity/core";
import { CHAR_CLASSES, CLASS_COUNT, classMask, classesOf, listWords } from "./char-classes.js";
import {
  EXACT_LENGTHS,
  oneSource,
  robustShare,
  valuesAtLeast,
  type PreparedParam,
  type PreparedTemplate,
} from "./prepared.js";
import { bucketStart, covers } from "./state.js";

/** Who reports and by which limits. */
export interface JudgeContext {
  detector: string;
  threshold: number;
  minSupport: number;
}

/** A finding before it is built: its probability first, so the strongest can be chosen cheaply. */
export interface Verdict {
  probability: number;
  build: () => Finding;
}

/** The `counts` key of each class: `with_digits`, `with_angle_brackets` ... */
const CLASS_KEYS = CHAR_CLASSES.map(({ name }) => `with_${name.replace(/\W+/g, "_")}`);

/** Values of a token list shown in messages. */
const SHOWN_TOKENS = 3;

function p(probability: number): string {
  return probability < 0.0001 ? "p < 0.0001" : `p=${formatProbability(probability)}`;
}

function lengthText(low: number, high: number): string {
  const max = high >= EXACT_LENGTHS ? `over ${formatCount(bucketStart(high))}` : formatCount(high);
  return low === high ? max : `${formatCount(bucketStart(low))}–${max}`;
}

/** Share of values the baseline description covers when the extremes are left out. */
const DESCRIBED = 0.99;

/**
 * `all 112 baseline values were 1–3 characters of digits`: what the baseline of a parameter looked like.
 * When a few values were far off (a tool's payloads, in a baseline fitted on the log itself), it describes
 * the middle 99% of lengths and the classes more than one client used, and says so.
 */
export function describeBaseline(param: PreparedParam): string {
  const n = param.model.values;
  const lengths = param.model.lengths;
  const cut = ((1 - DESCRIBED) / 2) * n;
  let low = -1;
  let high = -1;
  let first = -1;
  let last = -1;
  let below = 0;
  lengths.forEach((count, b) => {
    if (count === 0) return;
    if (first < 0) first = b;
    last = b;
    if (low < 0 && below + count > cut) low = b;
    below += count;
    if (high < 0 && below >= n - cut) high = b;
  });
  let mask = 0;
  for (let c = 0; c < CLASS_COUNT; c++) {
    const top = param.topClients[c]!;
    if (param.model.classes[c]! - (top === null ? 0 : top.count) > 0) mask |= 1 << c;
  }
  const all = low === first && high === last && mask === param.seenMask;
  const emptyBit = 1 << (CLASS_COUNT - 1);
  const classes = classesOf(mask & ~emptyBit).map((c) => CHAR_CLASSES[c]!.name);
  const made =
    (classes.length === 0 ? "" : ` of ${listWords(classes)}`) + (mask & emptyBit ? " or empty" : "");
  const what =
    n === 1
      ? "the 1 baseline value was"
      : `${all ? "all" : "99% of the"} ${formatCount(n)} baseline values were`;
  const unit = low === high && high === 1 ? "character" : "characters";
  return high <= 0 ? `${what} empty` : `${what} ${lengthText(low, high)} ${unit}${made}`;
}

function baselineOf(param: PreparedParam): string {
  return (param.description ??= describeBaseline(param));
}

function subject(ctx: JudgeContext, template: PreparedTemplate, name: string): string {
  return `parameter ${quoteValue(name, 60)} of ${quoteValue(template.template, 80)}`;
}

function finding(
  ctx: JudgeContext,
  {
    kind,
    subject: about,
    path,
    probability,
    counts,
    message,
    statistics,
  }: {
    kind: string;
    /** The parameter judged, so a tool's many payloads for one parameter read as one incident. */
    subject: string;
    path: string;
    probability: number;
    counts: Record<string, number>;
    message: string;
    statistics?: Record<string, number>;
  },
): Finding {
  return {
    detector: ctx.detector,
    kind,
    fields: ["path"],
    values: [path],
    subject: about,
    probability,
    surprisal: surprisal(probability),
    threshold: { name: "probability", direction: "below", value: ctx.threshold },
    counts,
    message,
    ...(statistics ? { statistics } : {}),
  };
}

/**
 * The strongest verdict on one value of a known parameter, or null when nothing is below the threshold:
 * - character classes: each class the value carries whose smoothed share q = (k + 1) / (n + 2) among the
 *   n baseline values is below the threshold; p = the product of those q (classes taken as independent);
 * - length, longer than the mean only (K&V): p = max(Chebyshev's σ² / (l − μ)², with σ² at least 1, and
 *   the smoothed share of baseline values at least as long, (m + 1) / (n + 2));
 * - tokens, when the parameter is an enumeration (at most `maxTokens` distinct short values): a value
 *   never seen has the Good–Turing chance of a new token, (N₁ + 1) / (n + 2). A new number in a numeric
 *   enumeration is not judged: counters and page numbers grow.
 */
export function judgeValue(
  ctx: JudgeContext,
  {
    template,
    param,
    value,
    path,
  }: { template: PreparedTemplate; param: PreparedParam; value: string; path: string },
): Verdict | null {
  const n = param.model.values;
  if (n < ctx.minSupport) return null;
  // Verdicts (and their closures) are made only for a probability that beats the threshold and the best
  // so far: most values are judged ordinary, and scoring them must not allocate.
  let best: Verdict | null = null;
  let bound = ctx.threshold;
  const mask = classMask(value);
  const rare = mask & param.rareMask;
  const length = value.length;
  if (rare !== 0) {
    const classes = classesOf(rare);
    let probability = 1;
    for (const c of classes) probability *= robustShare(param.model.classes[c]!, n, param.topClients[c]!);
    if (probability < bound) {
      bound = probability;
      best = {
        probability,
        build: () => {
          const seen = classes.map((c) => param.model.classes[c]!);
          const tops = classes.map((c) => param.topClients[c]!);
          const fromTop = tops.map((top, i) =>
            top !== null && seen[i]! > 0
              ? ` (${formatCount(top.count)} from ${quoteValue(top.client, 40)}${top.clients > 1 ? ` and ${top.clients - 1} other client${top.clients > 2 ? "s" : ""}` : ""})`
              : "",
          );
          return finding(ctx, {
            kind: "characters",
            subject: subject(ctx, template, param.name),
            path,
            probability,
            counts: {
              values: n,
              length,
              ...Object.fromEntries(
                classes.flatMap((c, i) => {
                  const key = CLASS_KEYS[c]!;
                  const top = tops[i]!;
                  return top === null || seen[i] === 0
                    ? [[key, seen[i]!]]
                    : [
                        [key, seen[i]!],
                        [`${key}_top_client`, top.count],
                      ];
                }),
              ),
            },
            message: `${subject(ctx, template, param.name)}: ${baselineOf(param)}; this one ${length === 0 ? "is empty" : `has ${formatCount(length)} characters with ${listWords(classes.map((c) => CHAR_CLASSES[c]!.plural))}`} (in ${listWords(seen.map((k, i) => `${formatCount(k)}${fromTop[i]}`))} of ${formatCount(n)} baseline values; ${p(probability)}): ${quoteValue(value, 80)}`,
          });
        },
      };
    }
  }
  if (length > param.mean) {
    const chebyshev = Math.min(1, Math.max(param.variance, 1) / (length - param.mean) ** 2);
    const atLeast = valuesAtLeast(param, length);
    const probability = Math.max(chebyshev, (atLeast + 1) / (n + 2));
    if (probability < bound) {
      bound = probability;
      best = {
        probability,
        build: () =>
          finding(ctx, {
            kind: "length",
            subject: subject(ctx, template, param.name),
            path,
            probability,
            counts: { values: n, length, at_least_as_long: atLeast },
            statistics: { mean: param.mean, sd: Math.sqrt(param.variance) },
            message: `${subject(ctx, template, param.name)}: ${baselineOf(param)} (mean ${param.mean.toFixed(1)}); this one has ${formatCount(length)} characters (${atLeast === 0 ? "longer than any" : `${formatCount(atLeast)} of ${formatCount(n)} as long`}; ${p(probability)}): ${quoteValue(value, 80)}`,
          }),
      };
    }
  }
  const tokens = param.model.tokens;
  if (tokens !== null && !tokens.has(value) && !(param.numeric && /^-?\d+(?:\.\d+)?$/.test(value))) {
    const probability = (param.tokenSingletons + 1) / (n + 2);
    if (probability < bound) {
      bound = probability;
      best = {
        probability,
        build: () => {
          const shown = [...tokens]
            .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
            .slice(0, SHOWN_TOKENS)
            .map(([t]) => t)
            .map((t) => quoteValue(t, 40));
          const more = tokens.size > SHOWN_TOKENS ? ", …" : "";
          return finding(ctx, {
            kind: "token",
            subject: subject(ctx, template, param.name),
            path,
            probability,
            counts: { values: n, distinct: tokens.size, seen_once: param.tokenSingletons },
            message: `${subject(ctx, template, param.name)}: all ${formatCount(n)} baseline values were one of ${formatCount(tokens.size)} (${shown.join(", ")}${more}); this one is ${quoteValue(value, 80)}, never seen (${p(probability)})`,
          });
        },
      };
    }
  }
  return best;
}

/**
 * A name the template's baseline never carried, or that only one client's requests carried (`known`): the
 * Good–Turing chance of a new name, (N₁ + 1) / (R + 2), with N₁ the other names carried by exactly one
 * request and R the requests with a query there, less that one client's.
 */
export function judgeUnseenName(
  ctx: JudgeContext,
  {
    template,
    name,
    path,
    known,
  }: { template: PreparedTemplate; name: string; path: string; known?: PreparedParam },
): Verdict | null {
  if (known !== undefined && !oneSource(known)) return null;
  const top = known?.topNameClient ?? null;
  const R = template.requests - (known?.model.present ?? 0);
  if (R < ctx.minSupport || !covers(template.capped, name)) return null;
  const singletons = template.nameSingletons - (known === undefined ? 0 : 1);
  const probability = (singletons + 1) / (R + 2);
  if (probability >= ctx.threshold) return null;
  return {
    probability,
    build: () => {
      const names = [...template.params.values()]
        .filter((param) => param.name !== name)
        .sort((a, b) => b.model.present - a.model.present || (a.name < b.name ? -1 : 1))
        .map((param) => param.name);
      const shown = names.slice(0, 6).map((n) => quoteValue(n, 30));
      const carried = `they carried ${listWords(shown)}${names.length > 6 ? " …" : ""}`;
      const counts = { requests: template.requests, names: names.length, names_seen_once: singletons };
      return finding(ctx, {
        kind: "unseen_parameter",
        subject: subject(ctx, template, name),
        path,
        probability,
        counts: known === undefined ? counts : { ...counts, source_requests: known.model.present },
        message:
          known === undefined
            ? `${subject(ctx, template, name)} never seen in ${formatCount(R)} baseline requests with a query there (${carried}; ${p(probability)})`
            : `${subject(ctx, template, name)} seen only ${top === null ? "once" : `from ${quoteValue(top.client, 40)} (${formatCount(top.count)} request${top.count === 1 ? "" : "s"})`}, never in the other ${formatCount(R)} baseline requests with a query there (${carried}; ${p(probability)})`,
      });
    },
  };
}

/** A parameter (nearly) every baseline request carried, absent here: P(absent) = (R − c + 1) / (R + 2). */
export function judgeMissing(
  ctx: JudgeContext,
  { template, param, path }: { template: PreparedTemplate; param: PreparedParam; path: string },
): Verdict | null {
  const R = template.requests;
  if (R < ctx.minSupport) return null;
  const present = param.model.present;
  const probability = (R - present + 1) / (R + 2);
  if (probability >= ctx.threshold) return null;
  return {
    probability,
    build: () =>
      finding(ctx, {
        kind: "missing_parameter",
        subject: subject(ctx, template, param.name),
        path,
        probability,
        counts: { requests: R, present },
        message: `${subject(ctx, template, param.name)} present in ${formatCount(present)} of ${formatCount(R)} baseline requests with a query there, absent here (${p(probability)})`,
      }),
  };
}

export { CLASS_COUNT };
