import { describe, expect, it } from "vitest";
import { logBetaBinomialTail, logGamma } from "./tail.js";

/** P(K ≥ k) for K ~ Binomial(n, p), summed term by term in plain floating point (small n only). */
function binomialTail(k: number, n: number, p: number): number {
  let total = 0;
  let choose = 1;
  for (let j = 0; j <= n; j++) {
    if (j > 0) choose = (choose * (n - j + 1)) / j;
    if (j >= k) total += choose * p ** j * (1 - p) ** (n - j);
  }
  return total;
}

describe("logGamma", () => {
  it("matches ln of factorials and Γ(½) = √π", () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(171)).toBeCloseTo(Math.log(7.257415615307994e306), 8);
  });

  it("stays exact for small arguments through Γ(x) = Γ(x + 1) / x", () => {
    expect(logGamma(0.01)).toBeCloseTo(Math.log(99.43258511915059), 10);
  });
});

describe("logBetaBinomialTail", () => {
  it("is the uniform tail (n − k + 1) / (n + 1) when α = β = 1", () => {
    for (const [k, n] of [
      [1, 10],
      [7, 10],
      [40, 300],
    ] as const) {
      expect(Math.exp(logBetaBinomialTail({ successes: k, trials: n, alpha: 1, beta: 1 }))).toBeCloseTo(
        (n - k + 1) / (n + 1),
        12,
      );
    }
  });

  it("tends to the binomial tail as α + β grows", () => {
    const kappa = 1e9;
    const tail = logBetaBinomialTail({ successes: 6, trials: 20, alpha: 0.1 * kappa, beta: 0.9 * kappa });
    expect(Math.exp(tail)).toBeCloseTo(binomialTail(6, 20, 0.1), 6);
  });

  it("is 1 (ln 0) for at least 0 successes and 0 (ln −∞) for more than the trials", () => {
    expect(logBetaBinomialTail({ successes: 0, trials: 5, alpha: 1, beta: 9 })).toBe(0);
    expect(logBetaBinomialTail({ successes: 6, trials: 5, alpha: 1, beta: 9 })).toBe(
      Number.NEGATIVE_INFINITY,
    );
  });

  it("gives a finite logarithm far below the smallest double", () => {
    // P(K = n) = B(α + n, β) / B(α, β) = Π_{i<n} (α + i) / (α + β + i), summed here as logarithms.
    const [alpha, beta, n] = [1e4, 99e4, 5_000];
    let expected = 0;
    for (let i = 0; i < n; i++) expected += Math.log10((alpha + i) / (alpha + beta + i));
    const tail = logBetaBinomialTail({ successes: n, trials: n, alpha, beta });
    expect(Number.isFinite(tail)).toBe(true);
    expect(tail / Math.LN10).toBeCloseTo(expected, 6);
  });
});
