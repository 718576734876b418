import type { Argv } from "yargs";
import type { InputOptions } from "../runners/context.js";
import {
  inputOptionsOf,
  wholeNumber,
  withInputOptions,
  withJobsOption,
  withOutputOptions,
} from "./options.js";

/**
 * The options of every command that reads logs and prints what it found (detect, score, profile):
 * inputs, `--output`, `--color` and `--jobs`.
 */
export function withAnalysisOptions<T>(yargs: Argv<T>) {
  return withJobsOption(withOutputOptions(withInputOptions(yargs)));
}

/** What `withAnalysisOptions` parsed, as runners take it. */
export interface AnalysisOptions extends InputOptions {
  output?: string | undefined;
  color?: boolean | undefined;
  jobs?: number | undefined;
}

export function analysisOptionsOf(
  argv: Parameters<typeof inputOptionsOf>[0] & {
    output?: string | undefined;
    color?: boolean | undefined;
    jobs?: number | undefined;
  },
): AnalysisOptions {
  return { ...inputOptionsOf(argv), output: argv.output, color: argv.color, jobs: argv.jobs };
}

/** `--format` (`-f`): one of `formats`, a table unless asked otherwise. */
export function formatOption<F extends string>({
  formats,
  describe,
}: {
  formats: readonly ("table" | F)[];
  describe: string;
}) {
  return { alias: "f", choices: formats, default: "table", describe } as const;
}

/** `--top` (`-n`): how many rows or anomalies to print; each command says what it counts. */
export function topOption(describe: string) {
  return { alias: "n", type: "number", describe, coerce: wholeNumber("top") } as const;
}
