import type { Argv } from "yargs";
import { defineCommand, runContext, setExitCode } from "./run.js";

function builder(yargs: Argv) {
  return yargs
    .option("results", {
      alias: "r",
      type: "string",
      describe: "saved `oddity detect --format json` output",
    })
    .option("model", { alias: "m", type: "string", describe: "a model from `oddity fit` (gives the charts)" })
    .option("output", {
      alias: "o",
      type: "string",
      demandOption: true,
      describe: "the HTML file to write (atomically)",
    })
    .option("config", { alias: "c", type: "string", describe: "config file (for plugins the model uses)" })
    .option("log-format", {
      type: "string",
      describe: "format of the results' raw lines (default: sniffed from them)",
    })
    .option("title", { type: "string", describe: "the report's title" })
    .option("quiet", { alias: "q", type: "boolean", default: false, describe: "no summary on stderr" })
    .example(
      "$0 detect access.log -f json -o results.json && $0 report -r results.json -o report.html",
      "a report from saved results",
    )
    .example("$0 report --model model.json -o baseline.html", "what a saved model learned");
}

/** `oddity report`: the HTML report from saved results and/or a model. */
export const reportCommand = defineCommand({
  command: "report",
  describe: "write the self-contained HTML report from saved detect results and/or a model",
  builder,
  handler: async (argv) => {
    const { runReport } = await import("../runners/report.js");
    setExitCode(
      await runReport(
        {
          results: argv.results,
          model: argv.model,
          output: argv.output,
          config: argv.config,
          logFormat: argv["log-format"],
          title: argv.title,
          quiet: argv.quiet,
        },
        runContext(),
      ),
    );
  },
});
