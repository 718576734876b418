import { open, stat } from "node:fs/promises";
import { InputError } from "../errors.js";
import { gunzipChunks, isGzip } from "./gzip.js";
import type { StreamInput } from "./types.js";

/** Bytes read from a file at a time (Node's default 64 KiB costs more per line). */
export const READ_CHUNK_BYTES = 256 * 1024;

/** An input ready to read: decoded (gunzipped when it starts with the gzip magic) chunks. */
export interface OpenedInput {
  name: string;
  chunks: AsyncIterable<Uint8Array | string>;
  /** Streams (stdin, pipes, injected) hand over records as each chunk ends, not in full batches. */
  live: boolean;
  /** Raw bytes read so far, compressed or not. */
  readonly bytes: () => number;
}

function describeError(name: string, error: unknown): InputError {
  const code = (error as { code?: unknown } | null)?.code;
  const reason =
    code === "ENOENT"
      ? "no such file"
      : code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "EISDIR"
          ? "is a directory, not a log file"
          : error instanceof Error
            ? error.message
            : String(error);
  return new InputError(`cannot read ${name}: ${reason}`, { cause: error });
}

/** Checks that a path names a readable regular file, before anything is read. */
export async function checkFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw describeError(path, error);
  }
  if (info.isDirectory()) {
    throw new InputError(
      `cannot read ${path}: is a directory, not a log file (give the files in it, e.g. "${path}/*.log")`,
    );
  }
}

async function* counted(
  chunks: AsyncIterable<Uint8Array | string>,
  counter: { bytes: number },
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    counter.bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
    yield chunk;
  }
}

async function* decoded(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  const iterator = chunks[Symbol.asyncIterator]();
  let head: Uint8Array | null = null;
  try {
    // The magic number needs two bytes, which a trickling stream may deliver one at a time.
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) {
        if (head !== null) yield head;
        return;
      }
      const chunk = next.value;
      if (typeof chunk === "string") {
        if (head !== null) yield head;
        head = null;
        yield chunk;
        break;
      }
      head = head === null ? chunk : Buffer.concat([head, chunk]);
      if (head.length >= 2) break;
    }
    const rest: AsyncIterable<Uint8Array | string> = { [Symbol.asyncIterator]: () => iterator };
    if (head !== null && isGzip(head)) {
      const first = head;
      yield* gunzipChunks(
        (async function* () {
          yield first;
          for await (const chunk of rest) yield typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        })(),
      );
      return;
    }
    if (head !== null) yield head;
    yield* rest;
  } finally {
    await iterator.return?.();
  }
}

/** Opens a file path, `-` (stdin) or a stream input. Errors name the input. */
export async function openInput(input: string | StreamInput, signal?: AbortSignal): Promise<OpenedInput> {
  const counter = { bytes: 0 };
  let name: string;
  let raw: AsyncIterable<Uint8Array | string>;
  let live = true;
  if (typeof input !== "string") {
    name = input.name;
    raw = input.stream;
  } else if (input === "-") {
    name = "-";
    raw = process.stdin;
  } else {
    name = input;
    let handle;
    try {
      handle = await open(input, "r");
    } catch (error) {
      throw describeError(input, error);
    }
    const info = await handle.stat().catch(async (error: unknown) => {
      await handle.close();
      throw describeError(input, error);
    });
    if (info.isDirectory()) {
      await handle.close();
      throw new InputError(
        `cannot read ${input}: is a directory, not a log file (give the files in it, e.g. "${input}/*.log")`,
      );
    }
    raw = rethrowing(handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES }), input);
    live = !info.isFile();
  }
  return { name, chunks: decoded(counted(raw, counter, signal)), live, bytes: () => counter.bytes };
}

async function* rethrowing(chunks: AsyncIterable<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks;
  } catch (error) {
    throw describeError(name, error);
  }
}
