import type { Argv } from "yargs";
import { defineCommand, runContext, setExitCode } from "./run.js";

function builder(yargs: Argv) {
  return yargs
    .positional("models", {
      type: "string",
      array: true,
      demandOption: true,
      describe: "model files to merge",
    })
    .option("output", {
      alias: "o",
      type: "string",
      demandOption: true,
      describe: "merged model file to write",
    })
    .option("config", { type: "string", describe: "config whose folder plugin detectors resolve from" })
    .option("quiet", { alias: "q", type: "boolean", describe: "no summary on stderr" })
    .option("allow-duplicates", {
      type: "boolean",
      describe: "merge models with the same content (refused by default: their counts would double)",
    })
    .example("$0 merge mon.json tue.json --output week.json", "combine daily models into one");
}

/** `oddity merge`: combine models fitted on shards. */
export const mergeCommand = defineCommand({
  command: "merge <models..>",
  describe: "merge models fitted with the same config (days, hosts, shards)",
  builder,
  handler: async (argv) => {
    const { runMerge } = await import("../runners/merge.js");
    setExitCode(
      await runMerge(
        {
          models: argv.models.map(String),
          output: argv.output,
          config: argv.config,
          quiet: argv.quiet,
          allowDuplicates: argv.allowDuplicates,
        },
        runContext(),
      ),
    );
  },
});
