import { describe, expect, it } from "vitest";
import { ConditionalProfiler, FieldProfiler } from "./profile.js";
import { makeRecords } from "./testing.js";

const records = makeRecords([
  { times: 3, ip: "1.1.1.1", status: 200 },
  { times: 1, ip: "1.1.1.1", status: 500 },
  { times: 2, ip: "2.2.2.2", status: 200 },
  { times: 1, ip: "__proto__", status: 404, referer: null },
  { times: 2, ip: "constructor", status: 200 },
]);

// Worker threads hand counts over by structured clone; shards of any size must add up to the whole.
describe("profile counts handed between threads", () => {
  it("merges field counts of two shards into the table of all records", () => {
    const whole = new FieldProfiler(["status", "ip", "referer"]);
    records.forEach((r) => whole.observe(r));
    const merged = new FieldProfiler(["status", "ip", "referer"]);
    for (const shard of [records.slice(0, 4), records.slice(4)]) {
      const part = new FieldProfiler(["status", "ip", "referer"]);
      shard.forEach((r) => part.observe(r));
      merged.addCounts(structuredClone(part.toCounts()));
    }
    expect(merged.total).toBe(9);
    for (const field of ["status", "ip", "referer"]) expect(merged.table(field)).toEqual(whole.table(field));
  });

  it("merges conditional counts of two shards into the table of all records", () => {
    const whole = new ConditionalProfiler("ip", "status");
    records.forEach((r) => whole.observe(r));
    const merged = new ConditionalProfiler("ip", "status");
    for (const shard of [records.slice(0, 5), records.slice(5)]) {
      const part = new ConditionalProfiler("ip", "status");
      shard.forEach((r) => part.observe(r));
      merged.addCounts(structuredClone(part.toCounts()));
    }
    expect(merged.table()).toEqual(whole.table());
    expect(merged.table()).toContainEqual({ value: "404", count: 1, probability: 1, given: "__proto__" });
  });

  it("refuses counts of other fields", () => {
    const a = new FieldProfiler(["status"]);
    expect(() => a.addCounts(new FieldProfiler(["ip"]).toCounts())).toThrow("profiled fields differ");
  });
});
