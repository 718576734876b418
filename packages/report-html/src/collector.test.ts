import { makeRecord } from "@oddity/core/testing";
import type { ScoredRecord } from "@oddity/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createReportCollector, TARGET_DRAWN_BUCKETS } from "./collector.js";

const T0 = Date.UTC(2019, 3, 16, 19, 34, 0);
const MINUTE = 60_000;

function flaggedScore(record: ReturnType<typeof makeRecord>): ScoredRecord {
  return { record, score: 10, findings: [] };
}

describe("createReportCollector", () => {
  test("counts requests and flagged requests per requested bucket, filling empty minutes with zeros", () => {
    const collector = createReportCollector({ bucketMs: MINUTE });
    const times = [T0 + 1_000, T0 + 59_000, T0 + 2 * MINUTE + 5_000];
    times.forEach((time, i) => {
      const record = makeRecord({ time });
      collector.observe(record, i === 1 ? flaggedScore(record) : null);
    });
    expect(collector.timeline()).toEqual({
      bucketMs: MINUTE,
      buckets: [
        { start: T0, requests: 2, flagged: 1 },
        { start: T0 + MINUTE, requests: 0, flagged: 0 },
        { start: T0 + 2 * MINUTE, requests: 1, flagged: 0 },
      ],
      untimed: { requests: 0, flagged: 0 },
      from: T0 + 1_000,
      to: T0 + 2 * MINUTE + 5_000,
      complete: true,
    });
    expect([collector.requests, collector.flagged]).toEqual([3, 1]);
  });

  test("picks 5-minute buckets for a 17-hour log, the finest step that draws at most 400 bars", () => {
    const collector = createReportCollector();
    for (let t = T0; t <= T0 + 17 * 60 * MINUTE; t += 7_000) collector.observe(makeRecord({ time: t }), null);
    const timeline = collector.timeline();
    expect(timeline.bucketMs).toBe(5 * MINUTE);
    expect(timeline.buckets.length).toBe(205);
  });

  test("counts records without a time apart instead of drawing them", () => {
    const collector = createReportCollector();
    const record = makeRecord({ time: null });
    collector.observe(record, flaggedScore(record));
    collector.observe(makeRecord({ time: null }), null);
    expect(collector.timeline()).toEqual({
      bucketMs: 1000,
      buckets: [],
      untimed: { requests: 2, flagged: 1 },
      from: null,
      to: null,
      complete: true,
    });
  });

  test("coarsens instead of growing when a fixed one-second bucket meets a year of timestamps", () => {
    const collector = createReportCollector({ bucketMs: 1000, maxBuckets: 500 });
    const year = 365 * 24 * 60 * MINUTE;
    for (let i = 0; i < 5_000; i++)
      collector.observe(makeRecord({ time: T0 + Math.floor((i * year) / 5_000) }), null);
    const timeline = collector.timeline();
    expect(timeline.buckets.length).toBeLessThanOrEqual(500);
    expect(timeline.bucketMs).toBe(24 * 60 * MINUTE);
    expect(timeline.buckets.reduce((n, b) => n + b.requests, 0)).toBe(5_000);
  });

  test("keeps every request and flag and stays within the drawing budget on arbitrary timestamps", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 })), fc.boolean()), {
          maxLength: 300,
        }),
        (rows) => {
          const collector = createReportCollector({ maxBuckets: 64 });
          for (const [time, flagged] of rows) {
            const record = makeRecord({ time });
            collector.observe(record, flagged ? flaggedScore(record) : null);
          }
          const timeline = collector.timeline();
          const requests = timeline.buckets.reduce((n, b) => n + b.requests, 0) + timeline.untimed.requests;
          const flagged = timeline.buckets.reduce((n, b) => n + b.flagged, 0) + timeline.untimed.flagged;
          expect([requests, flagged]).toEqual([rows.length, rows.filter(([, f]) => f).length]);
          expect(timeline.buckets.length).toBeLessThanOrEqual(TARGET_DRAWN_BUCKETS);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  test("refuses a bucket width that is not a positive whole number of milliseconds", () => {
    expect(() => createReportCollector({ bucketMs: 0 })).toThrow(
      "bucketMs must be a positive integer of milliseconds, received 0",
    );
  });
});
