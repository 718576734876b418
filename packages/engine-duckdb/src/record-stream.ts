import type { DuckDBConnection } from "@duckdb/node-api";
import {
  addBatch,
  addUnscored,
  blankRecord,
  createParser,
  type CandidateRow,
  type FormatSpec,
  type InputStats,
  type LineParser,
  type LogRecord,
  type Model,
  type RecordBatch,
} from "@oddity/core";
import { selectCandidates } from "./candidates.js";
import type { SqlLayout } from "./clf-sql.js";
import type { Joined } from "./columns.js";
import { handBack } from "./hand-back.js";
import { numberOf, textOf } from "./packed-rows.js";

/** What the stream knows of each file. */
export interface FileInfo {
  file: string;
  /** Parquet of parsed requests: every row is a record, nothing is handed back. */
  records: boolean;
  /** Any Parquet file: its text travels escaped (a value may hold a newline). */
  parquet: boolean;
  /** For those without a `raw` column: the record fields their `raw` shows, as JSON. */
  rawFields: string[] | null;
  bytes: number;
}

function rawJson(record: LogRecord, fields: readonly string[]): string {
  const shown: Record<string, unknown> = {};
  for (const field of fields) shown[field] = record[field as keyof LogRecord];
  return JSON.stringify(shown);
}

/** The records of `stream`, with its error explained by `explain`. */
export async function* explained<T>(
  stream: AsyncGenerator<T>,
  explain: (error: unknown) => unknown,
): AsyncGenerator<T> {
  try {
    yield* stream;
  } catch (error) {
    throw explain(error);
  }
}

/**
 * The scan's lines back in input order as record batches (see `DuckDBScan.records`): split rows unpacked,
 * handed-back lines parsed or rejected by oddity's parser, and with `model`, only the selected candidates.
 */
export async function* streamRecords({
  distinct,
  derivedTables,
  connection,
  model,
  packed,
  infos,
  stats,
  batchSize,
  leftoverFormat,
  layout,
  maxLineLength,
  signal,
}: {
  distinct: ReadonlyMap<string, readonly CandidateRow[]>;
  derivedTables: Map<string, Joined>;
  connection: DuckDBConnection;
  model: Model | undefined;
  /** The SQL of each row's packed fields (see `packedSql`). */
  packed: string;
  infos: readonly FileInfo[];
  stats: InputStats;
  batchSize: number;
  leftoverFormat: FormatSpec;
  layout: SqlLayout;
  maxLineLength: number;
  signal: AbortSignal | undefined;
}): AsyncGenerator<RecordBatch> {
  signal?.throwIfAborted();
  const selection =
    model === undefined
      ? null
      : await selectCandidates({
          connection,
          model,
          packed,
          distinct,
          derived: derivedTables,
        });
  const result = await connection.stream(
    // Without a selection, no ORDER BY: a scan of one table returns its rows in insertion order, which is
    // the files' order (DuckDB keeps it through the readers, SELECT, WHERE and UNION ALL while
    // preserve_insertion_order is on), and sorting would hold a second copy of every row. The order is
    // checked below all the same.
    selection?.sql ?? `SELECT src, CAST(n AS DOUBLE) AS n, ${packed} AS packed FROM parsed`,
  );
  // Plain records streamed per file, so those the selection skipped are counted at the end.
  const streamedPlain = new Map<number, number>();
  const ncsa = leftoverFormat.name === "ncsa";
  let parser: LineParser | null = null;
  let batch: RecordBatch = { records: [], rejections: [], blank: 0, read: 0 };
  // Files before `done` have had their bytes counted, as the reader counts a file once it is read.
  let done = 0;
  const flush = (): RecordBatch => {
    const full = batch;
    addBatch(stats, full);
    batch = { records: [], rejections: [], blank: 0, read: 0 };
    return full;
  };
  const countLayout = (name: string, n: number) => {
    const layouts = (batch.layouts ??= {});
    layouts[name] = (layouts[name] ?? 0) + n;
  };
  let current = -1;
  let last = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    // An interrupted stream ends as if it had no more rows.
    signal?.throwIfAborted();
    if (chunk === null || chunk.rowCount === 0) break;
    const srcs = chunk.getColumnValues(0) as number[];
    const ns = chunk.getColumnValues(1) as number[];
    const packs = chunk.getColumnValues(2) as string[];
    for (let i = 0; i < packs.length; i++) {
      const src = srcs[i]!;
      const n = ns[i]!;
      if (src < current || (src === current && n <= last)) {
        throw new Error(`DuckDB returned line ${n} of ${infos[src]!.file} out of order; this is a bug`);
      }
      last = n;
      if (src !== current) {
        // A batch holds the lines of one file, as the reader's do; a new file gets a new parser.
        if (batch.read > 0) yield flush();
        while (done < src) stats.bytes += infos[done++]!.bytes;
        current = src;
        parser = createParser(leftoverFormat);
      }
      const info = infos[src]!;
      const esc = info.parquet;
      const parts = packs[i]!.split("\n");
      if (parts[0] === "1") {
        streamedPlain.set(src, (streamedPlain.get(src) ?? 0) + 1);
        const record = info.records
          ? blankRecord(
              textOf(parts[14], info.parquet) ?? info.file,
              numberOf(parts[15]) ?? n,
              textOf(parts[4], info.parquet) ?? "",
            )
          : blankRecord(info.file, n, textOf(parts[4], info.parquet) ?? "");
        record.ip = textOf(parts[5], esc);
        record.ident = textOf(parts[6], esc);
        record.user = textOf(parts[7], esc);
        record.time = numberOf(parts[1]);
        record.time_text = textOf(parts[8], esc);
        record.method = textOf(parts[9], esc);
        record.path = textOf(parts[10], esc);
        record.http_version = textOf(parts[11], esc);
        record.status = numberOf(parts[2]);
        record.size = numberOf(parts[3]);
        record.referer = textOf(parts[12], esc);
        record.user_agent = textOf(parts[13], esc);
        if (info.rawFields !== null) record.raw = rawJson(record, info.rawFields);
        batch.records.push(record);
        if (ncsa && !info.records) countLayout(layout, 1);
      } else {
        const got = handBack({
          parser: parser!,
          source: info.file,
          n,
          line: textOf(parts[4], esc),
          maxLineLength,
        });
        if (got.kind === "blank") batch.blank++;
        else if (got.kind === "rejected") batch.rejections.push(got.rejection);
        else {
          batch.records.push(got.record);
          const handed = parser!.takeLayouts?.() ?? null;
          if (handed !== null) for (const [name, k] of Object.entries(handed)) countLayout(name, k);
        }
      }
      if (++batch.read >= batchSize) yield flush();
    }
  }
  if (batch.read > 0) yield flush();
  while (done < infos.length) stats.bytes += infos[done++]!.bytes;
  // Records the selection left in DuckDB: parsed and read like the others, only not scored.
  for (const [src, plain] of selection?.plainPerSrc ?? []) {
    addUnscored(stats, {
      records: plain - (streamedPlain.get(src) ?? 0),
      layout: ncsa && !infos[src]!.records ? layout : null,
    });
  }
}
