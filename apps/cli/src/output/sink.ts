import { once } from "node:events";
import type { Writable } from "node:stream";
import { createAtomicFile, writeFailure } from "./atomic.js";

/** Where a command's results go: stdout, or `--output FILE` written atomically. */
export interface Sink {
  /** True when results go to a terminal (colours and width apply). */
  readonly isTTY: boolean;
  /** Terminal width for tables: the terminal's, else `$COLUMNS`, else 100. */
  readonly columns: number;
  /** Writes text; resolves once the destination accepted it (backpressure). */
  write(text: string): Promise<void>;
  /** Finishes: a file is renamed into place. */
  close(): Promise<void>;
  /** Gives up: a file's temp copy is removed, the target untouched. */
  abort(): Promise<void>;
}

async function writeTo(stream: Writable, text: string): Promise<void> {
  if (text.length === 0) return;
  if (!stream.write(text)) await once(stream, "drain");
}

/** Opens the destination: `output` is a file path, or undefined / `-` for `stdout`. */
export function openSink({
  output,
  stdout,
  env = {},
}: {
  output: string | undefined;
  stdout: NodeJS.WriteStream | Writable;
  env?: Record<string, string | undefined>;
}): Sink {
  const fromEnv = Number(env.COLUMNS);
  const fallback = Number.isInteger(fromEnv) && fromEnv >= 20 ? fromEnv : 100;
  if (output === undefined || output === "-") {
    const tty = (stdout as NodeJS.WriteStream).isTTY === true;
    return {
      isTTY: tty,
      columns: (tty && (stdout as NodeJS.WriteStream).columns) || fallback,
      write: (text) => writeTo(stdout, text),
      close: () => Promise.resolve(),
      abort: () => Promise.resolve(),
    };
  }
  const file = createAtomicFile(output);
  return {
    isTTY: false,
    columns: fallback,
    write: (text) =>
      writeTo(file.stream, text).catch((error: unknown) => Promise.reject(writeFailure(output, error))),
    close: () => file.commit(),
    abort: () => file.abort(),
  };
}
