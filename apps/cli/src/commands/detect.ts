import type { Argv } from "yargs";
import { formatOption, topOption, withAnalysisOptions } from "./analysis-options.js";
import { withMemoryLimit, restoreStdin } from "./options.js";
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
    .option("format", formatOption({ formats: ANOMALY_FORMATS, describe: "output format" }))
    .option("top", topOption("rows to print, best first (0: all; default 20 for table, all otherwise)"))
    .option("group", groupOption)
    .option("min-score", minScoreOption)
    .option("baseline", {
      type: "string",
      array: true,
      describe: "fit on these logs and score the inputs against them",
    })
    .option("fail-on", failOnOption)
    .option("engine", engineOption)
    .option("rejects", {
      type: "string",
      describe: "write rejected lines to FILE as NDJSON (source, line, reason, excerpt)",
    })
    .option("report", { type: "string", describe: "also write a self-contained HTML report to FILE" })
    .example("$0 detect access.log", "rank the oddest requests of a log")
    .example(
      "$0 detect today.log --baseline last-week/*.log --fail-on 40",
      "score today against last week; exit 1 on a strong anomaly",
    )
    .example("cat access.log | $0 detect - --format ndjson", "read stdin, print one JSON object per anomaly");
}

/** `oddity detect`: fit and score the same logs (or a baseline), print ranked anomalies. */
export const detectCommand = defineCommand({
  command: "detect [inputs..]",
  describe: "find the anomalous requests in logs, ranked, with explanations",
  builder,
  handler: async (argv) => {
    const { runDetect } = await import("../runners/detect.js");
    setExitCode(
      await runDetect(
        {
          ...scoringCommandOptionsOf(argv),
          baseline: argv.baseline === undefined ? undefined : restoreStdin(argv.baseline),
          report: argv.report,
        },
        runContext(),
      ),
    );
  },
});
