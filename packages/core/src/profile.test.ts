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

// 10,000 distinct values with counts from 1 to 13: more than the rows kept between trims, many ties.
const manyValues = Array.from({ length: 10_000 }, (_, i): [string, number] => [
  `/p/${i}`,
  ((i * 7919) % 13) + 1,
]);
const manyTotal = manyValues.reduce((sum, [, n]) => sum + n, 0);

describe("profile tables with a limit", () => {
  it.each([false, true])("keep the first rows of the full table (rare: %s)", (rare) => {
    const profiler = new FieldProfiler(["path"]);
    profiler.addCounts({ fields: ["path"], total: manyTotal, counts: [manyValues] });
    const full = profiler.table("path", { rare });
    expect(full).toHaveLength(10_000);
    for (const limit of [0, 1, 20, 3000, 10_000, 20_000])
      expect(profiler.table("path", { rare, limit })).toEqual(full.slice(0, limit));
    expect(profiler.distinct("path")).toBe(10_000);
  });

  it("keep the first rows per given value of a conditional table", () => {
    const profiler = new ConditionalProfiler("ip", "path");
    const cells = (ip: string, from: number): [string, Array<[string, number]>] => [
      ip,
      manyValues.slice(from, from + 6000),
    ];
    const counts = [cells("1.1.1.1", 0), cells("2.2.2.2", 4000)];
    profiler.addCounts({ given: "ip", target: "path", total: 2 * manyTotal, cells: counts });
    const full = profiler.table({ rare: true });
    const limited = profiler.table({ rare: true, limit: 5 });
    const firstOf = (ip: string) => full.filter((r) => r.given === ip).slice(0, 5);
    expect(limited).toEqual([...firstOf(limited[0]!.given!), ...firstOf(limited[5]!.given!)]);
    expect(new Set(limited.map((r) => r.given))).toEqual(new Set(["1.1.1.1", "2.2.2.2"]));
    expect(profiler.distinct()).toBe(12_000);
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
