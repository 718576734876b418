import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { InputError, createRecord, type LogRecord } from "@oddity/core";
import { formatCombined } from "./combined.js";

/** The three files of HTTP DATASET CSIC 2010 and the label each file gives its requests. */
export const CSIC_FILES = {
  training: "normalTrafficTraining.txt.gz",
  normalTest: "normalTrafficTest.txt.gz",
  anomalousTest: "anomalousTrafficTest.txt.gz",
} as const;

/** Options of {@link convertCsic}. */
export interface CsicOptions {
  /** A CSIC file (plain or gzip, detected by magic bytes), or a stream of its bytes. */
  input: string | { name: string; stream: AsyncIterable<Buffer | string> };
  /** Stop after this many requests. */
  limit?: number;
  /**
   * Append a POST/PUT body to the query string (default true). Access logs never show bodies, but CSIC
   * hides half its attacks there; merged, they reach the `path` the detectors read.
   */
  mergeBody?: boolean;
}

/** The label of a CSIC file, from its name: `anomalous` for `anomalousTrafficTest`, else `normal`. */
export function csicLabel(name: string): "normal" | "anomalous" {
  return basename(name).startsWith("anomalous") ? "anomalous" : "normal";
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
}

async function* bytes(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) return;
  const head = toBuffer(first.value);
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield toBuffer(next.value);
    }
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield* all();
    return;
  }
  const gunzip = createGunzip();
  // Errors surface through `gunzip` itself; the pipeline promise only has to be settled.
  const piping = pipeline(Readable.from(all()), gunzip).catch(() => undefined);
  for await (const chunk of gunzip) yield chunk as Buffer;
  await piping;
}

const REQUEST_LINE = /^[A-Z]+ \S.* HTTP\/\d(?:\.\d)?$/;

interface Pending {
  line: number;
  method: string;
  target: string;
  protocol: string;
  headers: Map<string, string>;
  body: string | null;
}

// The dataset's URLs are absolute (`http://localhost:8080/tienda1/...`); access logs show the path.
function originForm(target: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  if (!match) return target;
  const rest = target.slice(match[0].length);
  return rest === "" ? "/" : rest;
}

function toRecord(pending: Pending, source: string, mergeBody: boolean): LogRecord {
  let path = originForm(pending.target);
  if (mergeBody && pending.body !== null && pending.body !== "") {
    path += (path.includes("?") ? "&" : "?") + pending.body;
  }
  const extra: Record<string, string> = Object.create(null) as Record<string, string>;
  const host = pending.headers.get("host");
  if (host !== undefined) extra.vhost = host;
  const session = /JSESSIONID=([^;\s]+)/.exec(pending.headers.get("cookie") ?? "");
  if (session) extra.session = session[1]!;
  const length = pending.headers.get("content-length");
  if (length !== undefined) extra.content_length = length;
  const record = createRecord({
    source,
    line: pending.line,
    method: pending.method,
    path,
    http_version: pending.protocol,
    user_agent: pending.headers.get("user-agent") ?? null,
    extra,
  });
  record.raw = formatCombined(record);
  return record;
}

/**
 * Converts HTTP DATASET CSIC 2010 raw requests into access-log records, streaming (gzip detected by magic
 * bytes). CSIC has method, URL, protocol and headers only, so the converter keeps those: `path` is the
 * origin-form target (still percent-encoded, as logs write it, so Latin-1 escapes like `%F3` never need
 * decoding), with the body merged into the query unless `mergeBody` is false; `extra` holds `vhost`,
 * `session` (JSESSIONID) and `content_length`. There is no client IP, time, status or size: those stay
 * null rather than invented. `line` is the request line's line number; `raw` a combined-format rendering.
 */
export async function* convertCsic({
  input,
  limit = Number.POSITIVE_INFINITY,
  mergeBody = true,
}: CsicOptions): AsyncGenerator<LogRecord> {
  const source = typeof input === "string" ? input : input.name;
  const stream =
    typeof input === "string" ? (createReadStream(input) as AsyncIterable<Buffer>) : input.stream;
  const lines = createInterface({ input: Readable.from(bytes(stream)), crlfDelay: Number.POSITIVE_INFINITY });
  let pending: Pending | null = null;
  let inHeaders = false;
  let lineNumber = 0;
  let emitted = 0;
  try {
    for await (const text of lines) {
      lineNumber++;
      const line = text;
      if (inHeaders) {
        if (line.trim() === "") {
          inHeaders = false;
          continue;
        }
        const colon = line.indexOf(":");
        if (colon > 0)
          pending!.headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        continue;
      }
      if (line.trim() === "") continue;
      // After the headers' blank line comes either the body or the next request; a body never looks like
      // a request line (CSIC bodies are form-encoded), so the shape decides.
      if (!REQUEST_LINE.test(line) && pending !== null && pending.body === null) {
        pending.body = line;
        continue;
      }
      const first = line.indexOf(" ");
      const last = line.lastIndexOf(" ");
      if (!REQUEST_LINE.test(line)) {
        throw new InputError(
          `${source}:${lineNumber}: expected a request line "METHOD URL HTTP/x.y", found ${JSON.stringify(line.slice(0, 80))}`,
        );
      }
      if (pending !== null) {
        yield toRecord(pending, source, mergeBody);
        if (++emitted >= limit) return;
      }
      pending = {
        line: lineNumber,
        method: line.slice(0, first),
        target: line.slice(first + 1, last),
        protocol: line.slice(last + 1),
        headers: new Map(),
        body: null,
      };
      inHeaders = true;
    }
    if (pending !== null && emitted < limit) yield toRecord(pending, source, mergeBody);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(`${source}: cannot read CSIC requests: ${reason}`, { cause: error });
  } finally {
    lines.close();
  }
}
