import type { Argv } from "yargs";
import {
  bits,
  inputOptionsOf,
  restoreStdin,
  wholeNumber,
  withInputOptions,
  withOutputOptions,
  withJobsOption,
} from "./options.js";
import { defineCommand, runContext, setExitCode } from "./run.js";

const FORMATS = ["table", "json", "ndjson", "csv"] as const;

function builder(yargs: Argv) {
  return withJobsOption(withOutputOptions(withInputOptions(yargs)))
    .option("format", { alias: "f", choices: FORMATS, default: "table" as const, describe: "output format" })
    .option("top", {
      alias: "n",
      type: "number",
      describe: "anomalies to print, best first (0: all; default 20 for table, all otherwise)",
      coerce: wholeNumber("top"),
    })
    .option("min-score", {
      type: "number",
      describe: "report only records scoring at least BITS",
      coerce: bits("min-score"),
    })
    .option("baseline", {
      type: "string",
      array: true,
      describe: "fit on these logs and score the inputs against them",
    })
    .option("fail-on", {
      type: "number",
      describe: "exit 1 when any anomaly scores at least BITS",
      coerce: bits("fail-on"),
    })
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
          ...inputOptionsOf(argv),
          format: argv.format,
          output: argv.output,
          top: argv.top,
          minScore: argv.minScore,
          baseline: argv.baseline === undefined ? undefined : restoreStdin(argv.baseline),
          failOn: argv.failOn,
          rejects: argv.rejects,
          report: argv.report,
          color: argv.color,
          jobs: argv.jobs,
        },
        runContext(),
      ),
    );
  },
});
