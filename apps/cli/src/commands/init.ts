import type { Argv } from "yargs";
import { defineCommand, runContext, setExitCode } from "./run.js";

function builder(yargs: Argv) {
  return yargs
    .option("force", { type: "boolean", describe: "overwrite an existing file" })
    .option("file", { type: "string", describe: "where to write (default oddity.config.yaml here)" });
}

/** `oddity init`: write a commented starter config. */
export const initCommand = defineCommand({
  command: "init",
  describe: "write a commented starter oddity.config.yaml",
  builder,
  handler: async (argv) => {
    const { runInit } = await import("../runners/init.js");
    setExitCode(await runInit({ force: argv.force, file: argv.file }, runContext()));
  },
});
