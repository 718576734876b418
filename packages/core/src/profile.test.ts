import { describe, expect, it } from "vitest";
import { ConditionalProfiler, FieldProfiler } from "./profile.js";
import { makeRecords } from "./testing.js";

const records = makeRecords([
  { times: 3, ip: "1.1.1.1", status: 200 },
  { times: 1, ip: "1.1.1.1", status: 500 },
  { times: 2, ip: "2.2.2.2", status: 200 },
  { times: 1, ip: "__proto__", status: 404, referer: null },
]);

describe("FieldProfiler", () => {
  it("counts values and their share of all records, most frequent first then by value", () => {
    const profiler = new FieldProfiler(["status", "ip"]);
    records.forEach((r) => profiler.observe(r));
    expect(profiler.table("status")).toEqual([
      { value: "200", count: 5, probability: 5 / 7 },
      { value: "404", count: 1, probability: 1 / 7 },
      { value: "500", count: 1, probability: 1 / 7 },
    ]);
    expect(profiler.table("ip", { rare: true })[0]).toEqual({
      value: "__proto__",
      count: 1,
      probability: 1 / 7,
    });
  });

  it("counts absent values under '-' as the log writes them", () => {
    const profiler = new FieldProfiler(["referer"]);
    records.forEach((r) => profiler.observe(r));
    expect(profiler.table("referer")).toEqual([{ value: "-", count: 7, probability: 1 }]);
  });

  it("merging shard profiles equals profiling the whole", () => {
    const whole = new FieldProfiler(["ip"]);
    records.forEach((r) => whole.observe(r));
    const a = new FieldProfiler(["ip"]);
    const b = new FieldProfiler(["ip"]);
    records.slice(0, 3).forEach((r) => a.observe(r));
    records.slice(3).forEach((r) => b.observe(r));
    a.merge(b);
    expect(a.table("ip")).toEqual(whole.table("ip"));
  });
});

describe("ConditionalProfiler", () => {
  it("divides by the count of the given value, not by all records", () => {
    const profiler = new ConditionalProfiler("ip", "status");
    records.forEach((r) => profiler.observe(r));
    expect(profiler.table()).toEqual([
      { given: "1.1.1.1", value: "200", count: 3, probability: 3 / 4 },
      { given: "1.1.1.1", value: "500", count: 1, probability: 1 / 4 },
      { given: "2.2.2.2", value: "200", count: 2, probability: 1 },
      { given: "__proto__", value: "404", count: 1, probability: 1 },
    ]);
  });
});
