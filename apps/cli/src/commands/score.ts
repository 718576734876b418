import type { Argv } from "yargs";
import {
  bits,
  inputOptionsOf,
  wholeNumber,
  withInputOptions,
  withOutputOptions,
  withJobsOption,
} from "./options.js";
import { defineCommand, runContext, setExitCode } from "./run.js";

const FORMATS = ["table", "json", "ndjson", "csv"] as const;

function builder(yargs: Argv) {
  return withJobsOption(withOutputOptions(withInputOptions(yargs)))
    .option("model", {
      alias: "m",
      type: "string",
      demandOption: true,
      describe: "model file written by oddity fit",
    })
    .option("format", {
      alias: "f",
      choices: FORMATS,
      default: "table" as const,
      describe: "output format; ndjson and csv stream each anomaly as its line arrives",
    })
    .option("top", {
      alias: "n",
      type: "number",
      describe: "anomalies to print for table/json, best first (0: all; default 20 for table)",
      coerce: wholeNumber("top"),
    })
    .option("min-score", {
      type: "number",
      describe: "report only records scoring at least BITS",
      coerce: bits("min-score"),
    })
    .option("fail-on", {
      type: "number",
      describe: "exit 1 when any anomaly scores at least BITS",
      coerce: bits("fail-on"),
    })
    .option("rejects", { type: "string", describe: "write rejected lines to FILE as NDJSON" })
    .example("$0 score today.log --model model.json", "rank today's oddest requests against a saved baseline")
    .example(
      "tail -F access.log | $0 score - --model model.json --format ndjson",
      "alert on each anomaly as it arrives",
    );
}

/** `oddity score`: score logs against a saved model, streaming. */
export const scoreCommand = defineCommand({
  command: "score [inputs..]",
  describe: "score logs against a saved model (streams with --format ndjson)",
  builder,
  handler: async (argv) => {
    const { runScore } = await import("../runners/score.js");
    setExitCode(
      await runScore(
        {
          ...inputOptionsOf(argv),
          model: argv.model,
          format: argv.format,
          output: argv.output,
          top: argv.top,
          minScore: argv.minScore,
          failOn: argv.failOn,
          rejects: argv.rejects,
          color: argv.color,
          jobs: argv.jobs,
        },
        runContext(),
      ),
    );
  },
});
