import { addBatch, emptyStats, type InputStats, type RecordBatch } from "../batch.js";
import { InputError } from "../errors.js";
import { createParser } from "../parsers/create.js";
import { resolveFormat } from "../parsers/resolve.js";
import { needsSample, SNIFF_LINES } from "../parsers/sniff.js";
import { excerpt } from "../parsers/text.js";
import { expandInputs } from "./expand.js";
import { GzipDamage } from "./gzip.js";
import { createLineSplitter, DEFAULT_MAX_LINE_LENGTH, type LineSplitter } from "./lines.js";
import { checkFile, openInput } from "./sources.js";
import type { FormatSpec, LineParser, ReadOptions, RecordStream, StreamInput } from "./types.js";

/** What readInputs reads: paths, globs, `-` for stdin, or named streams. */
export interface ReadInputsOptions extends ReadOptions {
  inputs: ReadonlyArray<string | StreamInput>;
}

interface Settings {
  spec: FormatSpec;
  strict: boolean;
  batchSize: number;
  maxLineLength: number;
  warnings: string[];
  formats: string[];
}

interface PendingLine {
  line: number;
  text: string;
  overlong: boolean;
}

function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const first = text.charCodeAt(0);
  // Most lines start with a visible ASCII character: decided without scanning them.
  if (first > 32 && first < 127) return false;
  return text.trim().length === 0;
}

function newBatch(): RecordBatch {
  return { records: [], rejections: [], blank: 0, read: 0 };
}

/** Turns the lines of one source into batches: sniffs its format, reads a CSV header, parses the rest. */
class SourceReader {
  private lineNumber = 0;
  private parser: LineParser | null = null;
  private needsHeader = false;
  private pending: PendingLine[] = [];
  private pendingNonBlank = 0;
  private batch = newBatch();
  private ready: RecordBatch[] = [];

  constructor(
    private readonly name: string,
    private readonly settings: Settings,
  ) {
    if (!needsSample(settings.spec)) this.use(createParser(settings.spec), null);
  }

  onLine(text: string): void {
    const line = ++this.lineNumber;
    if (isBlank(text)) {
      this.batch.blank++;
      this.count();
    } else if (this.parser === null) {
      this.hold({ line, text, overlong: false });
    } else {
      this.parseLine(line, text);
    }
  }

  onOverlong(start: string): void {
    const line = ++this.lineNumber;
    if (this.parser === null) this.hold({ line, text: start, overlong: true });
    else this.reject(line, `line longer than ${this.settings.maxLineLength} characters`, start);
  }

  /** A chunk of a live stream ended: hand over what is parsed so far, sniffing on what has arrived. */
  chunkEnd(): void {
    if (this.parser === null && this.pendingNonBlank > 0) this.resolve();
    if (this.batch.read > 0) this.flush();
  }

  finish(): void {
    if (this.parser === null && this.pendingNonBlank > 0) this.resolve();
    if (this.batch.read > 0) this.flush();
  }

  /** The input was cut off by damaged gzip data: the unfinished line is rejected, not parsed. */
  damaged(damage: GzipDamage, splitter: LineSplitter): void {
    const message = `${this.name}: ${damage.message}; kept the lines before it`;
    this.settings.warnings.push(message);
    if (this.settings.strict) throw new InputError(message, { cause: damage });
    const start = splitter.discard();
    if (this.parser === null && this.pendingNonBlank > 0) this.resolve();
    if (start !== null) this.reject(++this.lineNumber, "line cut off where the gzip data is damaged", start);
    this.finish();
  }

  take(): RecordBatch[] {
    const batches = this.ready;
    this.ready = [];
    return batches;
  }

  private hold(line: PendingLine): void {
    this.pending.push(line);
    if (++this.pendingNonBlank >= SNIFF_LINES) this.resolve();
  }

  private resolve(): void {
    const sample: string[] = [];
    for (const line of this.pending) if (!line.overlong) sample.push(line.text);
    const result = resolveFormat({ spec: this.settings.spec, lines: sample });
    const parser = createParser(result.spec);
    this.use(parser, `${parser.description}, auto-detected`);
    if (result.sampled > 0 && result.parsed * 2 < result.sampled) {
      this.settings.warnings.push(
        `${this.name}: only ${result.parsed} of ${result.sampled} sample lines parse as ${parser.description}; name the format if that is not it`,
      );
    }
    const pending = this.pending;
    this.pending = [];
    this.pendingNonBlank = 0;
    for (const { line, text, overlong } of pending) {
      if (overlong) this.reject(line, `line longer than ${this.settings.maxLineLength} characters`, text);
      else this.parseLine(line, text);
    }
  }

  private use(parser: LineParser, description: string | null): void {
    this.parser = parser;
    this.needsHeader = parser.readHeader !== undefined;
    const shown = description ?? parser.description;
    if (!this.settings.formats.includes(shown)) this.settings.formats.push(shown);
  }

  private parseLine(line: number, text: string): void {
    const parser = this.parser!;
    if (this.needsHeader) {
      this.needsHeader = false;
      const problem = parser.readHeader!(text);
      if (problem !== null) throw new InputError(`${this.name}:${line}: ${problem}`);
      // The header row is no record and no rejection: it is counted with the blank lines.
      this.batch.blank++;
      this.count();
      return;
    }
    const result = parser.parse(text, this.name, line);
    if (typeof result === "string") {
      this.reject(line, result, excerpt(text));
    } else {
      this.batch.records.push(result);
      this.count();
    }
  }

  private reject(line: number, reason: string, start: string): void {
    if (this.settings.strict) throw new InputError(`${this.name}:${line}: ${reason}`);
    this.batch.rejections.push({ source: this.name, line, reason, excerpt: start });
    this.count();
  }

  private count(): void {
    if (++this.batch.read >= this.settings.batchSize) this.flush();
  }

  private flush(): void {
    const layouts = this.parser?.takeLayouts?.() ?? null;
    if (layouts !== null) this.batch.layouts = layouts;
    this.ready.push(this.batch);
    this.batch = newBatch();
  }
}

async function* generate(
  options: ReadInputsOptions,
  stats: InputStats,
  settings: Settings,
): AsyncGenerator<RecordBatch> {
  const { signal, onProgress, maxLineLength } = options;
  const inputs: Array<string | StreamInput> = [];
  for (const input of options.inputs) {
    if (typeof input === "string") inputs.push(...(await expandInputs([input])));
    else inputs.push(input);
  }
  // Every named file is checked before the first is read: a typo fails the run before any output.
  for (const input of inputs) if (typeof input === "string" && input !== "-") await checkFile(input);

  let bytesBefore = 0;
  for (const input of inputs) {
    signal?.throwIfAborted();
    const opened = await openInput(input, signal);
    const reader = new SourceReader(opened.name, settings);
    const splitter = createLineSplitter({
      maxLineLength,
      onLine: (text) => reader.onLine(text),
      onOverlong: (start) => reader.onOverlong(start),
    });
    try {
      for await (const chunk of opened.chunks) {
        splitter.write(chunk);
        if (opened.live) reader.chunkEnd();
        stats.bytes = bytesBefore + opened.bytes();
        for (const batch of reader.take()) {
          addBatch(stats, batch);
          onProgress?.(stats);
          yield batch;
        }
      }
      splitter.end();
      reader.finish();
    } catch (error) {
      if (!(error instanceof GzipDamage)) throw error;
      reader.damaged(error, splitter);
    }
    stats.bytes = bytesBefore = bytesBefore + opened.bytes();
    for (const batch of reader.take()) {
      addBatch(stats, batch);
      onProgress?.(stats);
      yield batch;
    }
  }
}

/**
 * Reads log inputs as batches of parsed records. Files, globs, `.gz` (by magic bytes), `-` for stdin
 * and named streams are read in order with backpressure; each source's format is sniffed from its first
 * 50 non-blank lines unless `format` says otherwise. Every line is counted exactly once as parsed,
 * rejected (with a reason) or blank. Streams hand over what each chunk completes at once, so a line
 * written to a pipe is scored without waiting for a full batch.
 */
export function readInputs(options: ReadInputsOptions): RecordStream {
  const stats = emptyStats();
  const warnings: string[] = [];
  const formats: string[] = [];
  const settings: Settings = {
    spec: options.format ?? { name: "auto" },
    strict: options.strict ?? false,
    batchSize: Math.max(1, options.batchSize ?? 512),
    maxLineLength: options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH,
    warnings,
    formats,
  };
  let iterated = false;
  return {
    stats,
    warnings,
    get format() {
      return formats.length === 0 ? null : formats.join("; ");
    },
    [Symbol.asyncIterator]() {
      if (iterated) throw new Error("a RecordStream can be read only once");
      iterated = true;
      return generate({ ...options, maxLineLength: settings.maxLineLength }, stats, settings);
    },
  };
}
