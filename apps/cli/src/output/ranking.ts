import { TopRecords, type ScoredRecord } from "@oddity/core";
import { AnomalySpool, SPOOL_MEMORY_LIMIT, readSpool, type SpoolHandle, type SpoolReader } from "./spool.js";
import { lazyTempFolder } from "./temp-files.js";

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
  private readonly folder: () => string;
  private readonly removeFolder: () => void;
  private readonly memoryLimit: number;

  /**
   * Spool files go to a private temp folder created when first needed and removed by {@link close};
   * `folder` names another one instead (tests). `memoryLimit` is the anomalies held as objects.
   */
  constructor({
    limit,
    memoryLimit = SPOOL_MEMORY_LIMIT,
    folder,
  }: {
    limit: number;
    memoryLimit?: number | undefined;
    folder?: (() => string) | undefined;
  }) {
    if (folder === undefined) {
      const owned = lazyTempFolder();
      this.folder = owned.path;
      this.removeFolder = owned.remove;
    } else {
      this.folder = folder;
      this.removeFolder = () => undefined;
    }
    this.memoryLimit = memoryLimit;
    const all = !Number.isFinite(limit);
    this.top = all ? null : new TopRecords(limit);
    this.spool = all ? new AnomalySpool({ dir: this.folder, memoryLimit }) : null;
  }

  /**
   * Where the `workers` threads of a pass spool their pieces' anomalies, for this ranking to adopt or
   * its run to stream: its folder, and each worker's share of the in-memory limit, so a run holds about
   * as many anomalies in memory whatever its number of jobs.
   */
  workerSpool(workers: number): { folder: string; memoryLimit: number } {
    return { folder: this.folder(), memoryLimit: Math.ceil(this.memoryLimit / Math.max(1, workers)) };
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

  /** The best-ranked anomaly, if any. */
  best(): ScoredRecord | undefined {
    for (const scored of this.ranked()) return scored;
    return undefined;
  }

  /**
   * Deletes what the ranking and its workers spilled to disk, read or not (a run that failed never
   * reads it), with the folder it created.
   */
  close(): void {
    if (this.order === null && this.spool !== null) readSpool(this.spool.seal()).close();
    for (const { reader } of this.parts) reader.close();
    this.parts.length = 0;
    this.removeFolder();
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
