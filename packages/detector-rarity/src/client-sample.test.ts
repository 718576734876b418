import { ModelError } from "@oddity/core";
import { describe, expect, it } from "vitest";
import { CLIENT_SAMPLE_SIZE, ClientSample, clientId } from "./client-sample.js";

const addresses = (from: number, to: number) =>
  Array.from(
    { length: to - from },
    (_, i) => `10.${(from + i) >> 16}.${((from + i) >> 8) & 255}.${(from + i) & 255}`,
  );

function sampleOf(keys: readonly string[]): ClientSample {
  const sample = new ClientSample();
  for (const key of keys) sample.add(clientId(key));
  return sample;
}

describe("ClientSample", () => {
  it("counts distinct clients exactly up to the sample size, repeats included", () => {
    const keys = addresses(0, 1_500);
    expect(sampleOf([...keys, ...keys.slice(0, 700)]).estimate()).toBe(1_500);
  });

  it("estimates 20,000 clients within 10% past the sample size", () => {
    const estimate = sampleOf(addresses(0, 20_000)).estimate();
    expect(Math.abs(estimate - 20_000) / 20_000).toBeLessThan(0.1);
  });

  it("merges shards into exactly the sample of the whole, past the sample size too", () => {
    const keys = addresses(0, 3 * CLIENT_SAMPLE_SIZE);
    const whole = sampleOf(keys);
    const merged = ClientSample.merge(sampleOf(keys.slice(0, 5_000)), sampleOf(keys.slice(4_000).reverse()));
    expect(JSON.stringify(merged.toJSON())).toBe(JSON.stringify(whole.toJSON()));
  });

  it("rejects saved hashes out of order, naming the path", () => {
    expect(() => ClientSample.fromJSON({ hashes: [5, 3], saturated: false }, "state.clients")).toThrow(
      ModelError,
    );
    expect(() => ClientSample.fromJSON({ hashes: [5, 3], saturated: false }, "state.clients")).toThrow(
      "state.clients.hashes[1]: expected 32-bit hashes in increasing order",
    );
  });
});
