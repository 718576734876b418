import type { Argv, ArgumentsCamelCase, CommandModule } from "yargs";
import type { RunContext } from "../runners/context.js";

let context: RunContext | null = null;
let exitCode = 0;

/** Set once by main: the process context handlers pass to runners. */
export function setRunContext(ctx: RunContext): void {
  context = ctx;
}

export function runContext(): RunContext {
  if (context === null) throw new Error("run context not set");
  return context;
}

/** Handlers report the runner's exit code here; main reads it after parsing. */
export function setExitCode(code: number): void {
  exitCode = code;
}

export function takeExitCode(): number {
  const code = exitCode;
  exitCode = 0;
  return code;
}

/**
 * Declares a command: the handler's argv type is inferred from what the builder declares, so options
 * and handler cannot drift apart.
 */
export function defineCommand<A>(command: {
  command: string;
  describe: string;
  builder: (yargs: Argv) => Argv<A>;
  handler: (argv: ArgumentsCamelCase<A>) => Promise<void>;
}): CommandModule<object, A> {
  return command;
}
