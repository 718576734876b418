import type { Argv } from "yargs";
import { inputOptionsOf, wholeNumber, withInputOptions, withOutputOptions } from "./options.js";
import { defineCommand, runContext, setExitCode } from "./run.js";

const FORMATS = ["table", "json", "ndjson", "csv"] as const;

function builder(yargs: Argv) {
  return withOutputOptions(withInputOptions(yargs))
    .option("where", {
      alias: "w",
      type: "string",
      array: true,
      demandOption: true,
      describe: "FIELD=VALUE a record must match (repeatable; all must hold; VALUE - matches absent)",
    })
    .option("limit", {
      type: "number",
      describe: "stop after N matches (0: all)",
      coerce: wholeNumber("limit"),
    })
    .option("format", { alias: "f", choices: FORMATS, default: "table" as const, describe: "output format" })
    .example(
      '$0 show access.log --where "user_agent=Python-urllib/3.7"',
      "the requests behind a rare user agent",
    );
}

/** `oddity show`: the records behind a value. */
export const showCommand = defineCommand({
  command: "show [inputs..]",
  describe: "print the records where FIELD=VALUE (the requests behind a finding)",
  builder,
  handler: async (argv) => {
    const { runShow } = await import("../runners/show.js");
    setExitCode(
      await runShow(
        {
          ...inputOptionsOf(argv),
          where: argv.where.map(String),
          limit: argv.limit,
          format: argv.format,
          output: argv.output,
          color: argv.color,
        },
        runContext(),
      ),
    );
  },
});
