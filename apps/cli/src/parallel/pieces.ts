import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import {
  InputError,
  SNIFF_LINES,
  createLineSplitter,
  createParser,
  expandInputs,
  resolveFormat,
  type FormatSpec,
} from "@oddity/core";
import { alignPieces } from "../fit/align.js";
import { planShards, type Piece, type PlanFile } from "../fit/plan.js";

/** A piece with the format to read it in (sniffed once per file, so every piece of it agrees). */
export interface FormattedPiece extends Piece {
  format: FormatSpec;
}

/** How a file cut into byte ranges was read: the format its pieces share, as one pass would say it. */
export interface SplitFormat {
  /** What `RecordStream.format` says for the file in one pass (`combined, auto-detected`). */
  description: string;
  /** The sniffing doubt one pass would warn about, or null. */
  warning: string | null;
}

/** Work for N worker threads: pieces in input order, grouped per worker. */
export interface PiecePlan {
  shards: FormattedPiece[][];
  /** Per file cut into ranges: the format one pass would have reported. */
  split: Map<string, SplitFormat>;
  totalBytes: number;
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function isBlank(text: string): boolean {
  return text.trim().length === 0;
}

/**
 * The sample one reading pass sniffs a file's format from: its first 50 non-blank lines, overlong lines
 * taking their place in the count but not in the sample.
 */
async function headSample(path: string, maxLineLength: number | undefined): Promise<string[]> {
  const sample: string[] = [];
  let counted = 0;
  const splitter = createLineSplitter({
    ...(maxLineLength === undefined ? {} : { maxLineLength }),
    onLine: (text) => {
      if (counted >= SNIFF_LINES || isBlank(text)) return;
      counted++;
      sample.push(text);
    },
    onOverlong: () => {
      if (counted < SNIFF_LINES) counted++;
    },
  });
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream) {
      splitter.write(chunk as Buffer);
      if (counted >= SNIFF_LINES) return sample;
    }
    splitter.end();
    return sample;
  } finally {
    stream.destroy();
  }
}

/**
 * The format all pieces of a file are read with, or null when the file must be read whole: CSV and TSV
 * (their header row is in the first piece only).
 */
async function splitFormat({
  path,
  spec,
  maxLineLength,
}: {
  path: string;
  spec: FormatSpec;
  maxLineLength: number | undefined;
}): Promise<(SplitFormat & { spec: FormatSpec }) | null> {
  if (spec.name === "csv" || spec.name === "tsv") return null;
  if (spec.name !== "auto") return { spec, description: createParser(spec).description, warning: null };
  const sample = await headSample(path, maxLineLength);
  // With nothing to sniff one pass names no format at all: read such a file whole.
  if (sample.length === 0) return null;
  const result = resolveFormat({ spec, lines: sample });
  const parser = createParser(result.spec);
  if (parser.readHeader !== undefined) return null;
  return {
    spec: result.spec,
    description: `${parser.description}, auto-detected`,
    warning:
      result.sampled > 0 && result.parsed * 2 < result.sampled
        ? `${path}: only ${result.parsed} of ${result.sampled} sample lines parse as ${parser.description}; name the format if that is not it`
        : null,
  };
}

/**
 * Splits the work on `inputs` (files and globs) among `jobs` workers: large plain files are cut into
 * line-aligned byte ranges sharing the format one pass would sniff; gzip and CSV files go whole. Pieces
 * keep input order, so per-piece results concatenate into exactly what one pass gives.
 */
export async function planPieces({
  inputs,
  jobs,
  spec,
  maxLineLength,
}: {
  inputs: readonly string[];
  jobs: number;
  spec: FormatSpec;
  maxLineLength?: number | undefined;
}): Promise<PiecePlan> {
  const files = await expandInputs([...inputs]);
  const planned: PlanFile[] = [];
  const formats = new Map<string, (SplitFormat & { spec: FormatSpec }) | null>();
  for (const path of files) {
    const info = await stat(path).catch((error: unknown) => {
      throw new InputError(
        `cannot read ${path}: ${(error as { code?: string }).code === "ENOENT" ? "no such file" : String(error)}`,
      );
    });
    if (!info.isFile()) throw new InputError(`cannot read ${path}: not a regular file`);
    let splittable = info.size > 0 && !(await isGzip(path));
    if (splittable && !formats.has(path)) formats.set(path, await splitFormat({ path, spec, maxLineLength }));
    if (formats.get(path) === null) splittable = false;
    planned.push({ path, size: info.size, splittable });
  }
  const shards = await alignPieces(planShards({ files: planned, jobs }));
  const split = new Map<string, SplitFormat>();
  const formatted = shards.map((shard) =>
    shard.map((piece): FormattedPiece => {
      const known = piece.start === undefined ? null : formats.get(piece.path);
      if (known === null || known === undefined) return { ...piece, format: spec };
      split.set(piece.path, { description: known.description, warning: known.warning });
      return { ...piece, format: known.spec };
    }),
  );
  return { shards: formatted, split, totalBytes: planned.reduce((sum, f) => sum + f.size, 0) };
}
