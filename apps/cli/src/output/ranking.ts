import { TopRecords, type ScoredRecord } from "@oddity/core";
import { AnomalySpool, readSpool, type SpoolHandle, type SpoolReader } from "./spool.js";

/**
 * A run's anomalies, ranked for output: highest score first, then by source and line, as
 * `compareScored` orders them. With a `limit` the best ones are kept in memory; without one every
 * anomaly is kept in a spool, so ranking millions of them holds their sort keys in memory, not the
 * anomalies. Anomalies come from this thread (`add`) or as the spools of worker threads' pieces
 * (`adopt`).
 */
export class Ranking {
  private readonly top: TopRecords | null;
  private readonly spool: AnomalySpool | null;
  private readonly parts: Array<{ reader: SpoolReader; lineOffset: number }> = [];
  private order: { part: Int32Array; index: Int32Array } | null = null;

  /** `folder` names where a spool may put its file (called only when one is needed). */
  constructor({
    limit,
    folder,
    memoryLimit,
  }: {
    limit: number;
    folder: () => string;
    memoryLimit?: number | undefined;
  }) {
    const all = !Number.isFinite(limit);
    this.top = all ? null : new TopRecords(limit);
    this.spool = all
      ? new AnomalySpool({ dir: folder, ...(memoryLimit === undefined ? {} : { memoryLimit }) })
      : null;
  }

  add(scored: ScoredRecord): void {
    if (this.order !== null) throw new Error("a ranking takes no anomalies once it was read");
    if (this.top !== null) this.top.add(scored);
    else this.spool!.add(scored);
  }

  /** Takes over the anomalies of a worker's piece; `lineOffset` turns its line numbers into the file's. */
  adopt(handle: SpoolHandle, lineOffset: number): void {
    if (this.order !== null) throw new Error("a ranking takes no anomalies once it was read");
    const reader = readSpool(handle);
    if (this.top === null) {
      this.parts.push({ reader, lineOffset });
      return;
    }
    try {
      for (let i = 0; i < reader.size; i++) this.top.add(reader.get(i, lineOffset));
    } finally {
      reader.close();
    }
  }

  /** How many anomalies {@link ranked} yields. */
  get size(): number {
    if (this.top !== null) return this.top.ranked().length;
    return this.sorted().part.length;
  }

  /** The anomalies, best first; may be read more than once. */
  *ranked(): Generator<ScoredRecord> {
    if (this.top !== null) {
      yield* this.top.ranked();
      return;
    }
    const { part, index } = this.sorted();
    for (let k = 0; k < part.length; k++) {
      const { reader, lineOffset } = this.parts[part[k]!]!;
      yield reader.get(index[k]!, lineOffset);
    }
  }

  /** Deletes what the ranking spilled to disk, read or not (a run that failed never reads it). */
  close(): void {
    if (this.order === null && this.spool !== null) readSpool(this.spool.seal()).close();
    for (const { reader } of this.parts) reader.close();
    this.parts.length = 0;
  }

  private sorted(): { part: Int32Array; index: Int32Array } {
    if (this.order !== null) return this.order;
    this.parts.unshift({ reader: readSpool(this.spool!.seal()), lineOffset: 0 });
    let total = 0;
    for (const { reader } of this.parts) total += reader.size;
    const scores = new Float64Array(total);
    const lines = new Float64Array(total);
    const sources: string[] = new Array<string>(total);
    const part = new Int32Array(total);
    const index = new Int32Array(total);
    let k = 0;
    this.parts.forEach(({ reader, lineOffset }, p) => {
      for (let i = 0; i < reader.size; i++, k++) {
        scores[k] = reader.score(i);
        lines[k] = reader.line(i) + lineOffset;
        sources[k] = reader.source(i);
        part[k] = p;
        index[k] = i;
      }
    });
    // compareScored's order, on the keys alone.
    const permutation = Array.from({ length: total }, (_, i) => i).sort(
      (a, b) =>
        scores[b]! - scores[a]! ||
        (sources[a]! < sources[b]! ? -1 : sources[a]! > sources[b]! ? 1 : 0) ||
        lines[a]! - lines[b]!,
    );
    this.order = {
      part: Int32Array.from(permutation, (i) => part[i]!),
      index: Int32Array.from(permutation, (i) => index[i]!),
    };
    return this.order;
  }
}
