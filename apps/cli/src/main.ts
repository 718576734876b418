import { readFileSync } from "node:fs";
import { nearest } from "@oddity/core";
import yargs from "yargs";
import { detectCommand } from "./commands/detect.js";
import { STDIN_TOKEN } from "./commands/options.js";
import { detectorsCommand } from "./commands/detectors.js";
import { evalCommand } from "./commands/eval.js";
import { fitCommand } from "./commands/fit.js";
import { initCommand } from "./commands/init.js";
import { mergeCommand } from "./commands/merge.js";
import { profileCommand } from "./commands/profile.js";
import { reportCommand } from "./commands/report.js";
import { setRunContext, takeExitCode } from "./commands/run.js";
import { scoreCommand } from "./commands/score.js";
import { showCommand } from "./commands/show.js";
import { EXIT, InterruptedError, UsageError, handleError } from "./errors.js";
import { markInterrupted, removePendingTempFiles } from "./output/temp-files.js";
import { processContext } from "./runners/context.js";

/**
 * yargs' "Unknown argument: formt" with the nearest option the command knows, as git and npm suggest:
 * `Unknown argument: formt (did you mean --format?)`.
 */
export function suggestOptions(message: string, known: readonly string[]): string {
  const m = /^Unknown arguments?: (.+)$/.exec(message);
  if (m === null) return message;
  const names = known.filter((name) => name.length > 1 && !/[A-Z]/.test(name));
  const args = m[1]!.split(", ");
  const hints = args.flatMap((arg) => {
    const guess = nearest(arg, names);
    return guess === undefined ? [] : [args.length === 1 ? `--${guess}` : `--${guess} for ${arg}`];
  });
  return hints.length === 0 ? message : `${message} (did you mean ${hints.join(", ")}?)`;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

// After Ctrl-C a run gets this long to unwind (abort reads, drop temp files) before it is cut short.
const GRACE_MS = 2000;

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) {
      removePendingTempFiles();
      process.exit(EXIT.interrupted);
    }
    interrupted = true;
    markInterrupted();
    controller.abort(new InterruptedError());
    // A read blocked on a quiet pipe only sees the abort with its next chunk: end stdin now. Whatever
    // the run then does, no output file is committed (markInterrupted).
    process.stdin.destroy();
    setTimeout(() => {
      removePendingTempFiles();
      // Said apart from a run that unwound by itself: a run that needs the cut has a step Ctrl-C misses.
      process.stderr.write(
        `oddity: interrupted (cut short: the run did not stop within ${GRACE_MS / 1000} s)\n`,
      );
      process.exit(EXIT.interrupted);
    }, GRACE_MS).unref();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  // `oddity ... | head -1`: the reader left; stop quietly instead of failing on every write.
  // Any other failure of stdout (`> /dev/full`) is the environment's, not a bug: say so and stop.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    removePendingTempFiles();
    if (error.code === "EPIPE") process.exit(EXIT.ok);
    const reason = error.code === "ENOSPC" ? "no space left on the device" : error.message;
    process.stderr.write(`oddity: error: cannot write to standard output: ${reason}\n`);
    process.exit(EXIT.user);
  });
  setRunContext(processContext(controller.signal));
  const parser = yargs(argv.map((arg) => (arg === "-" ? STDIN_TOKEN : arg)))
    .scriptName("oddity")
    .usage(
      "$0 <command> [options]\n\nFind anomalous requests in access logs with basic, explainable probability.",
    )
    // One explicit list: no directory scan, and each command loads its runner only when it runs.
    .command(detectCommand)
    .command(profileCommand)
    .command(fitCommand)
    .command(scoreCommand)
    .command(mergeCommand)
    .command(showCommand)
    .command(reportCommand)
    .command(evalCommand)
    .command(initCommand)
    .command(detectorsCommand)
    .demandCommand(1, "name a command, e.g. oddity detect access.log")
    .recommendCommands()
    .strict()
    .version(version())
    .alias("h", "help")
    .alias("v", "version")
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilogue(
      "Exit codes: 0 ran fine, 1 an anomaly scored at or above --fail-on, 2 usage, config, input or model error, 70 a bug (stack printed), 130 interrupted.",
    )
    .fail((message, error) => {
      // yargs routes handler errors here too; only its own (YError, including our coerce checks), its
      // validation messages and our checks' (which come as strings, not errors) are usage errors.
      if (error instanceof Error && error.name !== "YError") throw error;
      const text = error instanceof Error ? error.message : message;
      if (text.startsWith("Did you mean")) throw new UsageError(`Unknown command "${argv[0]}". ${text}`);
      // getOptions is yargs API its types leave out: the options of the command being parsed.
      const known = Object.keys(
        (parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key,
      );
      throw new UsageError(suggestOptions(text, known));
    });
  try {
    await parser.parseAsync();
    return interrupted ? EXIT.interrupted : takeExitCode();
  } catch (error) {
    removePendingTempFiles();
    return await handleError(error, { stderr: process.stderr, interrupted });
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
}
