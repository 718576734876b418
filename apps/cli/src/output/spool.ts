import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { threadId } from "node:worker_threads";
import { deserialize, serialize } from "node:v8";
import { UserError, createRecord, type ScoredRecord } from "@oddity/core";
import { envWholeNumber } from "../env-number.js";
import { printedFinding } from "./anomalies.js";

/**
 * Anomalies a spool holds as objects before it moves them all to a file. An anomaly takes ~6 KB as
 * objects (record, findings, messages, statistics) and ~1 KB serialized; a run over a few million lines
 * (1% flagged) stays under this and never touches the disk; ~100 MB at most. `ODDITY_SPOOL_MEMORY` overrides it.
 */
export const SPOOL_MEMORY_LIMIT = 16_384;

/** The memory limit `env` asks for (`ODDITY_SPOOL_MEMORY`, a whole number), else the default. */
export function spoolMemoryLimit(env: Record<string, string | undefined>): number {
  return envWholeNumber({ env, name: "ODDITY_SPOOL_MEMORY", fallback: SPOOL_MEMORY_LIMIT });
}

/**
 * A finished spool, safe to post between threads: the anomalies themselves while few, else the file
 * they went to and, per anomaly in the order added, what ranking needs without reading it back.
 */
export type SpoolHandle =
  | { kind: "memory"; anomalies: ScoredRecord[] }
  | {
      kind: "file";
      file: string;
      scores: number[];
      lines: number[];
      /** Index into `sources` of each anomaly's source. */
      sourceIds: number[];
      sources: string[];
      offsets: number[];
      lengths: number[];
    };

/** Bytes of serialized anomalies gathered before one write to the spool file. */
const WRITE_BYTES = 1 << 20;

let spoolFiles = 0;

function spoolError(file: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === "ENOSPC" ? "no space left on the device" : (error as Error).message;
  return new UserError(
    `cannot keep the anomalies in ${file}: ${reason} (set TMPDIR to a folder with room; --top N keeps only N)`,
    { cause: error },
  );
}

/**
 * Keeps a run's anomalies in bounded memory, in the order added: as objects up to a limit, then all of
 * them serialized in a file of `dir`, with only their ranking keys in memory. A spool that reached the
 * disk holds any number of anomalies in ~50 bytes of memory each.
 */
export class AnomalySpool {
  private held: ScoredRecord[] | null = [];
  private readonly scores: number[] = [];
  private readonly lines: number[] = [];
  private readonly sourceIds: number[] = [];
  private readonly sources: string[] = [];
  private readonly sourceIndex = new Map<string, number>();
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private file: string | null = null;
  private fd: number | null = null;
  private written = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly dir: () => string;
  private readonly memoryLimit: number;

  /** `dir` is called once, when the spool first needs a file: it names the folder to put it in. */
  constructor({ dir, memoryLimit = SPOOL_MEMORY_LIMIT }: { dir: () => string; memoryLimit?: number }) {
    this.dir = dir;
    this.memoryLimit = memoryLimit;
  }

  /** How many anomalies were added. */
  get size(): number {
    return this.held?.length ?? this.scores.length;
  }

  add(scored: ScoredRecord): void {
    if (this.held !== null) {
      this.held.push(scored);
      if (this.held.length > this.memoryLimit) this.spill();
      return;
    }
    this.write(scored);
  }

  /** Ends adding and hands the anomalies over; the spool's file (if any) now belongs to the handle. */
  seal(): SpoolHandle {
    if (this.held !== null) {
      const anomalies = this.held;
      this.held = [];
      return { kind: "memory", anomalies };
    }
    this.flush();
    closeSync(this.fd!);
    this.fd = null;
    return {
      kind: "file",
      file: this.file!,
      scores: this.scores,
      lines: this.lines,
      sourceIds: this.sourceIds,
      sources: this.sources,
      offsets: this.offsets,
      lengths: this.lengths,
    };
  }

  private spill(): void {
    const held = this.held!;
    this.held = null;
    const file = path.join(this.dir(), `anomalies-${process.pid}-${threadId}-${++spoolFiles}.v8`);
    try {
      this.fd = openSync(file, "wx", 0o600);
    } catch (error) {
      throw spoolError(file, error);
    }
    this.file = file;
    for (const scored of held) this.write(scored);
  }

  private write(scored: ScoredRecord): void {
    const { record, score, findings } = scored;
    let bytes: Buffer;
    try {
      // Only what the outputs print of a finding needs to survive the file.
      bytes = serialize({ record, score, findings: findings.map(printedFinding) });
    } catch (error) {
      throw new Error(
        `the anomaly at ${record.source}:${record.line} cannot be kept for ranking: ${(error as Error).message}`,
        { cause: error },
      );
    }
    let id = this.sourceIndex.get(record.source);
    if (id === undefined) {
      id = this.sources.length;
      this.sources.push(record.source);
      this.sourceIndex.set(record.source, id);
    }
    this.scores.push(score);
    this.lines.push(record.line);
    this.sourceIds.push(id);
    this.offsets.push(this.written + this.pendingBytes);
    this.lengths.push(bytes.length);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= WRITE_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const chunk = Buffer.concat(this.pending, this.pendingBytes);
    try {
      let done = 0;
      while (done < chunk.length) done += writeSync(this.fd!, chunk, done, chunk.length - done);
    } catch (error) {
      throw spoolError(this.file!, error);
    }
    this.written += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/** Reads a sealed spool's anomalies back, by their index in the order added. */
export interface SpoolReader {
  readonly size: number;
  score(index: number): number;
  line(index: number): number;
  source(index: number): string;
  /** The anomaly; `lineOffset` is added to its line (a piece's lines count from the piece's start). */
  get(index: number, lineOffset?: number): ScoredRecord;
  /** Closes and deletes the spool's file, if it has one. */
  close(): void;
}

// Records that crossed a thread or a file lose their null-prototype extras and shared shape: rebuilt as
// parsers make them.
function rebuilt({ record, score, findings }: ScoredRecord, lineOffset: number): ScoredRecord {
  return { record: createRecord({ ...record, line: record.line + lineOffset }), score, findings };
}

/** Opens a sealed spool for reading. */
export function readSpool(handle: SpoolHandle): SpoolReader {
  if (handle.kind === "memory") {
    const { anomalies } = handle;
    return {
      size: anomalies.length,
      score: (i) => anomalies[i]!.score,
      line: (i) => anomalies[i]!.record.line,
      source: (i) => anomalies[i]!.record.source,
      get: (i, lineOffset = 0) => rebuilt(anomalies[i]!, lineOffset),
      close() {},
    };
  }
  const { file, scores, lines, sourceIds, sources, offsets, lengths } = handle;
  let fd: number | null = null;
  let buffer = Buffer.alloc(0);
  return {
    size: scores.length,
    score: (i) => scores[i]!,
    line: (i) => lines[i]!,
    source: (i) => sources[sourceIds[i]!]!,
    get(i, lineOffset = 0) {
      fd ??= openSync(file, "r");
      const length = lengths[i]!;
      if (buffer.length < length) buffer = Buffer.alloc(Math.max(length, 2 * buffer.length));
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buffer, done, length - done, offsets[i]! + done);
        if (n === 0) throw new Error(`the anomaly spool ${file} ended early`);
        done += n;
      }
      return rebuilt(deserialize(buffer.subarray(0, length)) as ScoredRecord, lineOffset);
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
      try {
        unlinkSync(file);
      } catch {
        // already gone (its folder is removed with the run)
      }
    },
  };
}
