import type { LogRecord } from "./record.js";
import { fieldReader } from "./fields.js";

/** One row of a value-frequency table: the lesson's `value_counts(normalize=True)`. */
export interface ValueFrequency {
  value: string;
  count: number;
  probability: number;
  /** For conditional tables: the conditioning value. */
  given?: string;
}

const NONE = "-";

/** Exact value counts for several fields; absent values count under `-` like the log writes them. */
export class FieldProfiler {
  private readonly readers: Array<(record: LogRecord) => string | null>;
  private readonly counts: Array<Map<string, number>>;
  total = 0;
  constructor(readonly fields: readonly string[]) {
    this.readers = fields.map((f) => fieldReader(f));
    this.counts = fields.map(() => new Map<string, number>());
  }
  observe(record: LogRecord): void {
    this.total++;
    for (let i = 0; i < this.readers.length; i++) {
      const value = this.readers[i]!(record) ?? NONE;
      const map = this.counts[i]!;
      map.set(value, (map.get(value) ?? 0) + 1);
    }
  }
  /** Merges another profiler over the same fields (worker shards). */
  merge(other: FieldProfiler): void {
    this.total += other.total;
    other.counts.forEach((map, i) => {
      const into = this.counts[i]!;
      for (const [value, count] of map) into.set(value, (into.get(value) ?? 0) + count);
    });
  }
  /** Rows sorted by count descending, then value; `rare` reverses the count order. */
  table(field: string, { rare = false }: { rare?: boolean } = {}): ValueFrequency[] {
    const index = this.fields.indexOf(field);
    if (index === -1) throw new Error(`field ${field} was not profiled`);
    return toRows(this.counts[index]!, this.total, rare);
  }
}

function toRows(map: Map<string, number>, total: number, rare: boolean): ValueFrequency[] {
  const rows = [...map].map(([value, count]) => ({
    value,
    count,
    probability: total === 0 ? 0 : count / total,
  }));
  rows.sort(
    (a, b) =>
      (rare ? a.count - b.count : b.count - a.count) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
  );
  return rows;
}

/** Exact conditional table P(target | given) per given value, like the lesson's groupby ratio done right. */
export class ConditionalProfiler {
  private readonly readGiven: (record: LogRecord) => string | null;
  private readonly readTarget: (record: LogRecord) => string | null;
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly givenCounts = new Map<string, number>();
  total = 0;
  constructor(
    readonly given: string,
    readonly target: string,
  ) {
    this.readGiven = fieldReader(given);
    this.readTarget = fieldReader(target);
  }
  observe(record: LogRecord): void {
    this.total++;
    const a = this.readGiven(record) ?? NONE;
    const b = this.readTarget(record) ?? NONE;
    this.givenCounts.set(a, (this.givenCounts.get(a) ?? 0) + 1);
    let inner = this.counts.get(a);
    if (inner === undefined) this.counts.set(a, (inner = new Map<string, number>()));
    inner.set(b, (inner.get(b) ?? 0) + 1);
  }
  merge(other: ConditionalProfiler): void {
    this.total += other.total;
    for (const [a, n] of other.givenCounts) this.givenCounts.set(a, (this.givenCounts.get(a) ?? 0) + n);
    for (const [a, inner] of other.counts) {
      let into = this.counts.get(a);
      if (into === undefined) this.counts.set(a, (into = new Map<string, number>()));
      for (const [b, n] of inner) into.set(b, (into.get(b) ?? 0) + n);
    }
  }
  /** Rows grouped by given value (most frequent given first), P(target | given) within each. */
  table({ rare = false }: { rare?: boolean } = {}): ValueFrequency[] {
    const givens = toRows(this.givenCounts, this.total, false);
    const rows: ValueFrequency[] = [];
    for (const { value: a, count } of givens) {
      for (const row of toRows(this.counts.get(a)!, count, rare)) rows.push({ ...row, given: a });
    }
    return rows;
  }
}
