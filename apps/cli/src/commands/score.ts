import type { Argv } from "yargs";
import { formatOption, topOption, withAnalysisOptions } from "./analysis-options.js";
import { withMemoryLimit } from "./options.js";
import { defineCommand, runContext, setExitCode } from "./run.js";
import {
  ANOMALY_FORMATS,
  engineOption,
  failOnOption,
  groupOption,
  minScoreOption,
  scoringCommandOptionsOf,
} from "./scoring-options.js";

function builder(yargs: Argv) {
  return withMemoryLimit(withAnalysisOptions(yargs))
    .option("model", {
      alias: "m",
      type: "string",
      demandOption: true,
      describe: "model file written by oddity fit",
    })
    .option(
      "format",
      formatOption({
        formats: ANOMALY_FORMATS,
        describe: "output format; ndjson and csv stream each anomaly as its line arrives",
      }),
    )
    .option("top", topOption("anomalies to print for table/json, best first (0: all; default 20 for table)"))
    .option("group", groupOption)
    .option("min-score", minScoreOption)
    .option("fail-on", failOnOption)
    .option("engine", engineOption)
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
          ...scoringCommandOptionsOf(argv),
          model: argv.model,
        },
        runContext(),
      ),
    );
  },
});
