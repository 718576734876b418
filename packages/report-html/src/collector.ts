import type { LogRecord, ScoredRecord } from "@oddity/core";
import type { TimelineData } from "./types.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Each step divides the next, so buckets re-aggregate exactly when the collector coarsens.
const BUCKET_LADDER = [
  SECOND,
  5 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  7 * DAY,
  28 * DAY,
  364 * DAY,
] as const;

/** Buckets the collector keeps at most; past this it coarsens, so memory stays bounded on any input. */
export const MAX_COLLECTED_BUCKETS = 20_000;
/** Buckets a drawn timeline aims for: enough to see bursts, few enough to read. */
export const TARGET_DRAWN_BUCKETS = 400;

/** Options of {@link createReportCollector}. */
export interface CollectorOptions {
  /** Bucket width in ms; chosen from the time span when omitted. */
  bucketMs?: number;
  /** Cap on buckets held in memory (default {@link MAX_COLLECTED_BUCKETS}). */
  maxBuckets?: number;
}

/** Aggregates what a report needs from every scored record, in bounded memory. */
export interface ReportCollector {
  /** Counts one scored record; `scored` is the scorer's result (null when nothing was odd). */
  observe(record: LogRecord, scored: ScoredRecord | null): void;
  /** Records observed. */
  readonly requests: number;
  /** Records observed with a non-null score. */
  readonly flagged: number;
  /** The timeline so far, at the requested bucket or an automatic one. */
  timeline(): TimelineData;
}

/** The next ladder step after `current` (doubling past the end of the ladder). */
function coarser(current: number): number {
  return BUCKET_LADDER.find((step) => step > current && step % current === 0) ?? current * 2;
}

/** The smallest width ≥ `atLeast` that `base` divides: a ladder step, or a multiple of `base` when off-ladder. */
function widthAtLeast(base: number, atLeast: number): number {
  let width = base;
  while (width < atLeast) width = coarser(width);
  return width;
}

function reaggregate(buckets: Map<number, [number, number]>, width: number): Map<number, [number, number]> {
  const next = new Map<number, [number, number]>();
  for (const [start, [requests, flagged]] of buckets) {
    const key = Math.floor(start / width) * width;
    const into = next.get(key);
    if (into === undefined) next.set(key, [requests, flagged]);
    else {
      into[0] += requests;
      into[1] += flagged;
    }
  }
  return next;
}

/**
 * Starts collecting the timeline of a scoring run: requests and flagged requests per bucket. Without
 * `bucketMs` it counts per second and coarsens along 1 s, 5 s, 15 s, 30 s, 1 min, 5 min … 1 day, 1 week
 * whenever more than `maxBuckets` are held; {@link ReportCollector.timeline} then picks the finest step
 * that draws at most ~400 buckets. With `bucketMs` the timeline keeps that width unless memory forces
 * a coarser one.
 */
export function createReportCollector(options: CollectorOptions = {}): ReportCollector {
  const { bucketMs, maxBuckets = MAX_COLLECTED_BUCKETS } = options;
  if (bucketMs !== undefined && !(Number.isInteger(bucketMs) && bucketMs > 0)) {
    throw new RangeError(`bucketMs must be a positive integer of milliseconds, received ${bucketMs}`);
  }
  let width = bucketMs ?? SECOND;
  let buckets = new Map<number, [number, number]>();
  let requests = 0;
  let flagged = 0;
  let untimedRequests = 0;
  let untimedFlagged = 0;
  let from: number | null = null;
  let to: number | null = null;

  return {
    observe(record, scored) {
      requests++;
      const isFlagged = scored !== null;
      if (isFlagged) flagged++;
      const t = record.time;
      if (t === null || !Number.isFinite(t)) {
        untimedRequests++;
        if (isFlagged) untimedFlagged++;
        return;
      }
      if (from === null || t < from) from = t;
      if (to === null || t > to) to = t;
      const key = Math.floor(t / width) * width;
      const bucket = buckets.get(key);
      if (bucket === undefined) {
        buckets.set(key, [1, isFlagged ? 1 : 0]);
        while (buckets.size > maxBuckets) {
          width = coarser(width);
          buckets = reaggregate(buckets, width);
        }
      } else {
        bucket[0]++;
        if (isFlagged) bucket[1]++;
      }
    },
    get requests() {
      return requests;
    },
    get flagged() {
      return flagged;
    },
    timeline() {
      let drawn = width;
      if (from !== null && to !== null) {
        const span = to - from;
        // An explicit width is kept as long as the filled series stays bounded.
        const limit = bucketMs === undefined ? TARGET_DRAWN_BUCKETS : maxBuckets;
        drawn = widthAtLeast(width, span / limit);
        while (Math.floor(to / drawn) - Math.floor(from / drawn) + 1 > limit) drawn = coarser(drawn);
      }
      const counts = reaggregate(buckets, drawn);
      const series: TimelineData["buckets"] = [];
      if (from !== null && to !== null) {
        for (let start = Math.floor(from / drawn) * drawn; start <= to; start += drawn) {
          const [r, f] = counts.get(start) ?? [0, 0];
          series.push({ start, requests: r, flagged: f });
        }
      }
      return {
        bucketMs: drawn,
        buckets: series,
        untimed: { requests: untimedRequests, flagged: untimedFlagged },
        from,
        to,
        complete: true,
      };
    },
  };
}
