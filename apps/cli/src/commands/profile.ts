import type { Argv } from "yargs";
import { analysisOptionsOf, formatOption, topOption, withAnalysisOptions } from "./analysis-options.js";
import { withMemoryLimit } from "./options.js";
import { defineCommand, runContext, setExitCode } from "./run.js";

const FORMATS = ["table", "json", "csv"] as const;

function builder(yargs: Argv) {
  return withMemoryLimit(withAnalysisOptions(yargs))
    .option("field", {
      alias: "F",
      type: "string",
      array: true,
      describe: "field to profile (repeatable; default: all categorical fields)",
    })
    .option("given", { type: "string", describe: "conditional table: P(field | given) per given value" })
    .option(
      "top",
      topOption("rows per field (per given value) (0: all; default 20 for table, all otherwise)"),
    )
    .option("rare", { type: "boolean", describe: "rarest values first" })
    .option("engine", {
      type: "string",
      choices: ["duckdb"],
      describe: "count in an engine: duckdb (npm install @oddity/engine-duckdb) reads common/combined files",
    })
    .option("format", formatOption({ formats: FORMATS, describe: "output format" }))
    .example("$0 profile access.log --field user_agent", "value counts and probabilities of the user agents")
    .example("$0 profile access.log --given ip --field status", "P(status | ip) for each ip");
}

/** `oddity profile`: value-frequency tables, the lesson's value_counts. */
export const profileCommand = defineCommand({
  command: "profile [inputs..]",
  describe: "value counts and probabilities per field (or P(field | given))",
  builder,
  handler: async (argv) => {
    const { runProfile } = await import("../runners/profile.js");
    setExitCode(
      await runProfile(
        {
          ...analysisOptionsOf(argv),
          fields: argv.field?.map(String),
          given: argv.given,
          top: argv.top,
          rare: argv.rare,
          format: argv.format,
          engine: argv.engine as "duckdb" | undefined,
          memoryLimit: argv.memoryLimit,
        },
        runContext(),
      ),
    );
  },
});
