import type { Argv } from "yargs";
import { inputOptionsOf, withMemoryLimit, wholeNumber, withInputOptions } from "./options.js";
import { defineCommand, runContext, setExitCode } from "./run.js";

function builder(yargs: Argv) {
  return withMemoryLimit(withInputOptions(yargs))
    .option("output", {
      alias: "o",
      type: "string",
      demandOption: true,
      describe: "model file to write (atomically)",
    })
    .option("jobs", {
      alias: "j",
      type: "number",
      describe: "worker threads (at most one per 64 MiB of input); the model is byte-identical to one job",
      coerce: wholeNumber("jobs", 1),
    })
    .option("engine", {
      type: "string",
      choices: ["duckdb"],
      describe:
        "compute the counts in an engine: duckdb (npm install @oddity/engine-duckdb) reads common/combined files, --jobs threads",
    })
    .example("$0 fit logs/*.log --output model.json --jobs 4", "learn a baseline from a week of logs");
}

/** `oddity fit`: learn a model from baseline logs. */
export const fitCommand = defineCommand({
  command: "fit [inputs..]",
  describe: "learn a model from baseline logs and save it",
  builder,
  handler: async (argv) => {
    const { runFit } = await import("../runners/fit.js");
    setExitCode(
      await runFit(
        {
          ...inputOptionsOf(argv),
          output: argv.output,
          jobs: argv.jobs,
          engine: argv.engine as "duckdb" | undefined,
          memoryLimit: argv.memoryLimit,
        },
        runContext(),
      ),
    );
  },
});
