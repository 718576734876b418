import type { LogRecord } from "./record.js";
import { createFieldCache } from "./field-cache.js";
import { ownString } from "./own-string.js";

/** One row of a value-frequency table: the lesson's `value_counts(normalize=True)`. */
export interface ValueFrequency {
  value: string;
  count: number;
  probability: number;
  /** For conditional tables: the conditioning value. */
  given?: string;
}

const NONE = "-";

// Exact counts: one hash lookup per value seen (value → slot), and each new key copied so that it does
// not keep the log line it was cut from alive.
class Tally {
  private readonly slots = new Map<string, number>();
  private readonly counts: number[] = [];
  add(value: string, n: number): void {
    const slot = this.slots.get(value);
    if (slot !== undefined) this.counts[slot]! += n;
    else {
      this.slots.set(ownString(value), this.counts.length);
      this.counts.push(n);
    }
  }
  *entries(): IterableIterator<[string, number]> {
    for (const [value, slot] of this.slots) yield [value, this.counts[slot]!];
  }
  get size(): number {
    return this.counts.length;
  }
}

/** What a {@link FieldProfiler} counted, as plain data: worker threads hand it over to be merged. */
export interface FieldProfileCounts {
  fields: string[];
  total: number;
  /** Per field, in the order of `fields`: [value, count] pairs in no particular order. */
  counts: Array<Array<[string, number]>>;
}

/** What a {@link ConditionalProfiler} counted, as plain data. */
export interface ConditionalProfileCounts {
  given: string;
  target: string;
  total: number;
  /** Per given value, its target values with their counts. */
  cells: Array<[string, Array<[string, number]>]>;
}

/** Exact value counts for several fields; absent values count under `-` like the log writes them. */
export class FieldProfiler {
  private readonly readers: Array<(record: LogRecord) => string | null>;
  private readonly counts: Tally[];
  total = 0;
  constructor(readonly fields: readonly string[]) {
    // Its own memo of path templates: `path_template` is profiled by default and paths repeat.
    const cache = createFieldCache();
    this.readers = fields.map((f) => cache.reader(f));
    this.counts = fields.map(() => new Tally());
  }
  observe(record: LogRecord): void {
    this.total++;
    for (let i = 0; i < this.readers.length; i++) this.counts[i]!.add(this.readers[i]!(record) ?? NONE, 1);
  }
  /** Merges another profiler over the same fields (worker shards). */
  merge(other: FieldProfiler): void {
    this.total += other.total;
    other.counts.forEach((tally, i) => {
      const into = this.counts[i]!;
      for (const [value, count] of tally.entries()) into.add(value, count);
    });
  }
  /** The counts as plain data, for {@link addCounts} in another thread. */
  toCounts(): FieldProfileCounts {
    return { fields: [...this.fields], total: this.total, counts: this.counts.map((t) => [...t.entries()]) };
  }
  /** Adds counts made by a profiler over the same fields (a worker's shard). */
  addCounts(counts: FieldProfileCounts): void {
    if (counts.fields.join("\n") !== this.fields.join("\n")) throw new Error("profiled fields differ");
    this.total += counts.total;
    counts.counts.forEach((rows, i) => {
      const into = this.counts[i]!;
      for (const [value, count] of rows) into.add(value, count);
    });
  }
  /** Rows sorted by count descending, then value; `rare` reverses the count order. */
  table(field: string, { rare = false, limit = Infinity }: TableOptions = {}): ValueFrequency[] {
    return toRows(this.tally(field), this.total, rare, limit);
  }
  /** How many distinct values `field` had. */
  distinct(field: string): number {
    return this.tally(field).size;
  }
  private tally(field: string): Tally {
    const index = this.fields.indexOf(field);
    if (index === -1) throw new Error(`field ${field} was not profiled`);
    return this.counts[index]!;
  }
}

/** How to read a profile table. */
export interface TableOptions {
  /** Least frequent first. */
  rare?: boolean;
  /** Only the first rows (per given value in conditional tables); the rest are never materialized. */
  limit?: number;
}

// A value column of a million distinct paths must not become a million row objects when 20 are shown:
// rows are trimmed to `limit` whenever twice as many have piled up, which keeps the first `limit` of
// them in O(limit) memory.
function toRows(tally: Tally, total: number, rare: boolean, limit = Infinity): ValueFrequency[] {
  const order = (a: ValueFrequency, b: ValueFrequency) =>
    (rare ? a.count - b.count : b.count - a.count) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
  const trimAt = Math.max(2 * limit, 4096);
  const rows: ValueFrequency[] = [];
  for (const [value, count] of tally.entries()) {
    rows.push({ value, count, probability: total === 0 ? 0 : count / total });
    if (rows.length >= trimAt) {
      rows.sort(order);
      rows.length = limit;
    }
  }
  rows.sort(order);
  if (rows.length > limit) rows.length = limit;
  return rows;
}

/** Exact conditional table P(target | given) per given value, like the lesson's groupby ratio done right. */
export class ConditionalProfiler {
  private readonly readGiven: (record: LogRecord) => string | null;
  private readonly readTarget: (record: LogRecord) => string | null;
  private readonly counts = new Map<string, Tally>();
  private readonly givenCounts = new Tally();
  total = 0;
  constructor(
    readonly given: string,
    readonly target: string,
  ) {
    const cache = createFieldCache();
    this.readGiven = cache.reader(given);
    this.readTarget = cache.reader(target);
  }
  observe(record: LogRecord): void {
    this.total++;
    const a = this.readGiven(record) ?? NONE;
    const b = this.readTarget(record) ?? NONE;
    this.givenCounts.add(a, 1);
    this.inner(a).add(b, 1);
  }
  private inner(a: string): Tally {
    let inner = this.counts.get(a);
    if (inner === undefined) this.counts.set(ownString(a), (inner = new Tally()));
    return inner;
  }
  merge(other: ConditionalProfiler): void {
    this.total += other.total;
    for (const [a, n] of other.givenCounts.entries()) this.givenCounts.add(a, n);
    for (const [a, inner] of other.counts) {
      const into = this.inner(a);
      for (const [b, n] of inner.entries()) into.add(b, n);
    }
  }
  /** The counts as plain data, for {@link addCounts} in another thread. */
  toCounts(): ConditionalProfileCounts {
    const cells: ConditionalProfileCounts["cells"] = [];
    for (const [a, inner] of this.counts) cells.push([a, [...inner.entries()]]);
    return { given: this.given, target: this.target, total: this.total, cells };
  }
  /** Adds counts made by a profiler over the same pair of fields (a worker's shard). */
  addCounts(counts: ConditionalProfileCounts): void {
    if (counts.given !== this.given || counts.target !== this.target)
      throw new Error("profiled pair differs");
    this.total += counts.total;
    for (const [a, rows] of counts.cells) {
      const into = this.inner(a);
      for (const [b, n] of rows) {
        into.add(b, n);
        this.givenCounts.add(a, n);
      }
    }
  }
  /** Rows grouped by given value (most frequent given first), P(target | given) within each. */
  table({ rare = false, limit = Infinity }: TableOptions = {}): ValueFrequency[] {
    const givens = toRows(this.givenCounts, this.total, false);
    const rows: ValueFrequency[] = [];
    for (const { value: a, count } of givens) {
      for (const row of toRows(this.counts.get(a)!, count, rare, limit)) rows.push({ ...row, given: a });
    }
    return rows;
  }
  /** How many distinct (given, target) pairs there were. */
  distinct(): number {
    let n = 0;
    for (const inner of this.counts.values()) n += inner.size;
    return n;
  }
}
