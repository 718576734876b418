import type { Argv } from "yargs";
import { defineCommand, runContext, setExitCode } from "./run.js";

function builder(yargs: Argv) {
  return yargs
    .option("config", { type: "string", describe: "config file (default: nearest oddity.config.* upward)" })
    .option("format", { alias: "f", choices: ["table", "json"] as const, default: "table" as const })
    .option("color", { type: "boolean", default: true, describe: "colour on a terminal" });
}

/** `oddity detectors`: list the configured detectors and their options. */
export const detectorsCommand = defineCommand({
  command: "detectors",
  describe: "list the detectors the config loads, with options and defaults",
  builder,
  handler: async (argv) => {
    const { runDetectors } = await import("../runners/detectors.js");
    setExitCode(
      await runDetectors({ config: argv.config, format: argv.format, color: argv.color }, runContext()),
    );
  },
});
