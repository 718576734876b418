import { logBetaBinomialTail } from "./tail.js";

const LN10 = Math.log(10);

/** The numbers one test judges: a client's odd requests against the other clients'. */
export interface TestInput {
  /** The client's odd requests (errors, or requests to lonely paths). */
  odd: number;
  /** The client's requests. */
  requests: number;
  /** Odd requests of every client, this one included. */
  populationOdd: number;
  /** Requests of every client, this one included. */
  populationRequests: number;
}

/** The limits a test is judged by (from the options). */
export interface TestLimits {
  threshold: number;
  minOdd: number;
  concentration: number;
}

/** What one test says about a client. */
export interface TestResult {
  /** The other clients' rate μ, smoothed: (odd + ½) / (requests + 1). */
  othersRate: number;
  /** log10 P(K ≥ odd) under BetaBinomial(requests, μκ, (1 − μ)κ); 0 when not computed. */
  log10p: number;
  flagged: boolean;
}

/**
 * Tests one client: is its count of odd requests far above what the other clients' rate allows?
 *
 * μ is the rate of everyone else (leave-one-out, so a client that sends most of the traffic cannot make
 * its own behaviour look normal), with a half-count of smoothing so a population without any odd request
 * still gives a positive rate. A client's own rate is allowed to vary like Beta(μκ, (1 − μ)κ) around μ
 * (clients differ: a browser on a page with a broken image meets a few 404s), so its count of odd
 * requests is beta-binomial, and the test's p-value is that distribution's upper tail at the observed
 * count. It flags when p < threshold and the count is at least `minOdd`; the tail is computed only for a
 * client whose rate is above μ, which is the only direction this test is about.
 */
export function testClient(input: TestInput, limits: TestLimits): TestResult {
  const { odd, requests, populationOdd, populationRequests } = input;
  const othersRate = (populationOdd - odd + 0.5) / (populationRequests - requests + 1);
  if (odd < limits.minOdd || odd <= othersRate * requests) {
    return { othersRate, log10p: 0, flagged: false };
  }
  const kappa = limits.concentration;
  const lnP = logBetaBinomialTail({
    successes: odd,
    trials: requests,
    alpha: othersRate * kappa,
    beta: (1 - othersRate) * kappa,
  });
  const log10p = lnP / LN10;
  return { othersRate, log10p, flagged: log10p < Math.log10(limits.threshold) };
}
