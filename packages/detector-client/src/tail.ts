/**
 * Log-space probabilities for the client tests: ln Γ and the beta-binomial upper tail. Everything stays
 * in logarithms so a tail of 1e-300 or below still has a finite, exact-enough number of bits.
 */

// Lanczos approximation, g = 7, 9 coefficients (Numerical Recipes / Boost): about 15 significant digits.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  // Γ(x) = Γ(x + 1) / x keeps the approximation where it is accurate (x ≥ 0.5).
  if (x < 0.5) return logGamma(x + 1) - Math.log(x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return HALF_LN_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** The parameters of a beta-binomial tail: `successes` of `trials`, under Beta(`alpha`, `beta`) rates. */
export interface TailInput {
  successes: number;
  trials: number;
  alpha: number;
  beta: number;
}

/**
 * ln P(K ≥ k) for K ~ BetaBinomial(n, α, β): the chance that a client whose own rate is drawn from
 * Beta(α, β) has at least k odd requests among n.
 *
 *   P(K = j) = C(n, j) · B(j + α, n − j + β) / B(α, β)
 *
 * The first term comes from ln Γ; each next one from the ratio
 * P(j + 1) / P(j) = (n − j)(j + α) / ((j + 1)(n − j − 1 + β)), summed in log space (a running
 * log-sum-exp), so nothing under- or overflows. Cost: n − k + 1 steps.
 */
export function logBetaBinomialTail({ successes: k, trials: n, alpha, beta }: TailInput): number {
  if (k <= 0) return 0;
  if (k > n) return Number.NEGATIVE_INFINITY;
  let term =
    logGamma(n + 1) -
    logGamma(k + 1) -
    logGamma(n - k + 1) +
    logBeta(k + alpha, n - k + beta) -
    logBeta(alpha, beta);
  // log-sum-exp kept as (max, sum of exp(term − max)).
  let max = term;
  let sum = 1;
  for (let j = k; j < n; j++) {
    term += Math.log(((n - j) * (j + alpha)) / ((j + 1) * (n - j - 1 + beta)));
    if (term > max) {
      sum = sum * Math.exp(max - term) + 1;
      max = term;
    } else {
      sum += Math.exp(term - max);
    }
  }
  return Math.min(0, max + Math.log(sum));
}
