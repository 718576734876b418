const integerFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** `13978` → `13,978`: counts in messages are read by people. */
export function formatCount(n: number): string {
  return integerFormat.format(n);
}

/** Probabilities to two significant digits, never rounded to zero: `0.000072`, `5.1e-7`. */
export function formatProbability(p: number): string {
  if (p === 0) return "0";
  if (p >= 0.001) return String(Number(p.toPrecision(2)));
  if (p >= 1e-6) return p.toFixed(6 - Math.floor(Math.log10(p)) - 5).replace(/0+$/, "");
  return p.toExponential(1);
}

/** Surprisal in bits of a probability: the cost of an event, additive across independent evidence. */
export function surprisal(p: number): number {
  if (!(p > 0)) return Number.POSITIVE_INFINITY;
  return p >= 1 ? 0 : -Math.log2(p);
}

/** Shows a log value inside a message: quoted, with control characters escaped, and shortened. */
export function quoteValue(value: string, max = 120): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(shown);
}
