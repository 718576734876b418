import type { Writable } from "node:stream";
import { escapeTerminal } from "./output/escape.js";

/** Exit codes, documented in the README. */
export const EXIT = Object.freeze({
  ok: 0,
  /** An anomaly scored at or above `--fail-on`. */
  failOn: 1,
  /** Usage, config, input or model error: the message says what to fix. */
  user: 2,
  /** A bug (in oddity or a plugin): the stack is printed. EX_SOFTWARE from sysexits.h. */
  bug: 70,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
});

/** Wrong arguments; yargs' own messages become these. */
export class UsageError extends Error {
  readonly exitCode = EXIT.user;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Thrown when Ctrl-C aborted the run. */
export class InterruptedError extends Error {
  constructor() {
    super("interrupted");
    this.name = "InterruptedError";
  }
}

function isAbort(error: unknown): boolean {
  return (
    error instanceof InterruptedError ||
    (error instanceof Error &&
      (error.name === "AbortError" || (error as { code?: unknown }).code === "ABORT_ERR"))
  );
}

// Messages may quote log content (a rejected line's excerpt): escape it, but keep the line breaks of
// multi-problem config errors.
function safe(message: string): string {
  return message
    .split("\n")
    .map((line) => escapeTerminal(line))
    .join("\n");
}

/**
 * The one place errors become exit codes: user errors print their message (no stack) and exit 2,
 * Ctrl-C exits 130, anything else is a bug: stack and exit 70.
 */
export async function handleError(
  error: unknown,
  { stderr, interrupted }: { stderr: Writable; interrupted: boolean },
): Promise<number> {
  // Loaded here, not at startup: `oddity --help` should not pay for the engine.
  const { isUserError } = await import("@oddity/core");
  if (interrupted || isAbort(error)) {
    stderr.write("oddity: interrupted\n");
    return EXIT.interrupted;
  }
  if (error instanceof UsageError) {
    stderr.write(`oddity: ${safe(error.message)}\nRun "oddity --help" for usage.\n`);
    return EXIT.user;
  }
  if (isUserError(error)) {
    stderr.write(`oddity: error: ${safe(error.message)}\n`);
    return EXIT.user;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const plugin = error instanceof Error && error.name === "DetectorError";
  stderr.write(
    `oddity: unexpected error (this is a bug${plugin ? " in the detector named below" : " in oddity"}; please report it with the command you ran):\n${safe(detail)}\n`,
  );
  if (error instanceof Error && error.cause instanceof Error && error.cause.stack) {
    stderr.write(`caused by: ${safe(error.cause.stack)}\n`);
  }
  return EXIT.bug;
}
