import { formatCount, formatProbability, quoteValue, surprisal, type Finding } from "@oddity/core";
import { CHAR_CLASSES, CLASS_COUNT, classMask, classesOf, listWords } from "./char-classes.js";
import { EXACT_LENGTHS, valuesAtLeast, type PreparedParam, type PreparedTemplate } from "./prepared.js";
import { covers } from "./state.js";

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

/** Values of a token list shown in messages. */
const SHOWN_TOKENS = 3;

function p(probability: number): string {
  return probability < 0.0001 ? "p < 0.0001" : `p=${formatProbability(probability)}`;
}

function lengthRange(param: PreparedParam): string {
  const { minLength, maxLength } = param;
  const max = maxLength >= EXACT_LENGTHS ? `over ${formatCount(maxLength)}` : formatCount(maxLength);
  return minLength === maxLength ? `${max}` : `${formatCount(minLength)}–${max}`;
}

/** `all 112 baseline values were 1–3 characters of digits`: what the baseline of a parameter looked like. */
export function describeBaseline(param: PreparedParam): string {
  const n = param.model.values;
  const classes = classesOf(param.seenMask).map((c) => CHAR_CLASSES[c]!.name);
  const made = classes.length === 0 ? "empty" : `characters of ${listWords(classes)}`;
  const length = param.maxLength === 0 ? "" : `${lengthRange(param)} ${made}`;
  return `${n === 1 ? "the 1 baseline value was" : `all ${formatCount(n)} baseline values were`} ${length || "empty"}`;
}

function subject(ctx: JudgeContext, template: PreparedTemplate, name: string): string {
  return `parameter ${quoteValue(name, 60)} of ${quoteValue(template.template, 80)}`;
}

function finding(
  ctx: JudgeContext,
  {
    kind,
    path,
    probability,
    counts,
    message,
    statistics,
  }: {
    kind: string;
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
  let best: Verdict | null = null;
  const consider = (verdict: Verdict) => {
    if (verdict.probability < ctx.threshold && (best === null || verdict.probability < best.probability))
      best = verdict;
  };
  const mask = classMask(value);
  const rare = mask & param.rareMask;
  const length = value.length;
  if (rare !== 0) {
    const classes = classesOf(rare);
    let probability = 1;
    for (const c of classes) probability *= (param.model.classes[c]! + 1) / (n + 2);
    consider({
      probability,
      build: () => {
        const seen = classes.map((c) => param.model.classes[c]!);
        return finding(ctx, {
          kind: "characters",
          path,
          probability,
          counts: {
            values: n,
            length,
            ...Object.fromEntries(
              classes.map((c, i) => [`with_${CHAR_CLASSES[c]!.name.replace(/\W+/g, "_")}`, seen[i]!]),
            ),
          },
          message: `${subject(ctx, template, param.name)}: ${describeBaseline(param)}; this one has ${formatCount(length)} characters with ${listWords(classes.map((c) => CHAR_CLASSES[c]!.plural))} (in ${listWords(seen.map(formatCount))} of ${formatCount(n)} baseline values; ${p(probability)}): ${quoteValue(value, 80)}`,
        });
      },
    });
  }
  if (length > param.mean) {
    const chebyshev = Math.min(1, Math.max(param.variance, 1) / (length - param.mean) ** 2);
    const atLeast = valuesAtLeast(param, length);
    const probability = Math.max(chebyshev, (atLeast + 1) / (n + 2));
    consider({
      probability,
      build: () =>
        finding(ctx, {
          kind: "length",
          path,
          probability,
          counts: { values: n, length, at_least_as_long: atLeast },
          statistics: { mean: param.mean, sd: Math.sqrt(param.variance) },
          message: `${subject(ctx, template, param.name)}: ${describeBaseline(param)} (mean ${param.mean.toFixed(1)}); this one has ${formatCount(length)} characters (${atLeast === 0 ? "longer than any" : `${formatCount(atLeast)} of ${formatCount(n)} as long`}; ${p(probability)}): ${quoteValue(value, 80)}`,
        }),
    });
  }
  const tokens = param.model.tokens;
  if (tokens !== null && !tokens.has(value) && !(param.numeric && /^-?\d+(?:\.\d+)?$/.test(value))) {
    const probability = (param.tokenSingletons + 1) / (n + 2);
    consider({
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
          path,
          probability,
          counts: { values: n, distinct: tokens.size, seen_once: param.tokenSingletons },
          message: `${subject(ctx, template, param.name)}: all ${formatCount(n)} baseline values were one of ${formatCount(tokens.size)} (${shown.join(", ")}${more}); this one is ${quoteValue(value, 80)}, never seen (${p(probability)})`,
        });
      },
    });
  }
  return best;
}

/** A name the template's baseline never carried: Good–Turing's chance of a new name, (N₁ + 1) / (R + 2). */
export function judgeUnseenName(
  ctx: JudgeContext,
  { template, name, path }: { template: PreparedTemplate; name: string; path: string },
): Verdict | null {
  const R = template.requests;
  if (R < ctx.minSupport || !covers(template.capped, name)) return null;
  const probability = (template.nameSingletons + 1) / (R + 2);
  if (probability >= ctx.threshold) return null;
  return {
    probability,
    build: () => {
      const names = [...template.params.values()]
        .sort((a, b) => b.model.present - a.model.present || (a.name < b.name ? -1 : 1))
        .map((param) => param.name);
      const shown = names.slice(0, 6).map((n) => quoteValue(n, 30));
      return finding(ctx, {
        kind: "unseen_parameter",
        path,
        probability,
        counts: { requests: R, names: names.length, names_seen_once: template.nameSingletons },
        message: `${subject(ctx, template, name)} never seen in ${formatCount(R)} baseline requests with a query there (they carried ${listWords(shown)}${names.length > 6 ? " …" : ""}; ${p(probability)})`,
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
        path,
        probability,
        counts: { requests: R, present },
        message: `${subject(ctx, template, param.name)} present in ${formatCount(present)} of ${formatCount(R)} baseline requests with a query there, absent here (${p(probability)})`,
      }),
  };
}

export { CLASS_COUNT };
