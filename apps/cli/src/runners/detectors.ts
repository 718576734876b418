import { colorEnabled, createPalette } from "../output/color.js";
import { escapeTerminal } from "../output/escape.js";
import { openSink } from "../output/sink.js";
import { renderTable } from "../output/table.js";
import { buildPipeline } from "../pipeline.js";
import { describeOptions, type OptionDoc } from "../plugins/describe.js";
import { startSession } from "./common.js";
import type { RunContext } from "./context.js";

/** Options of `oddity detectors`. */
export interface DetectorsOptions {
  config?: string | undefined;
  format?: "table" | "json" | undefined;
  color?: boolean | undefined;
}

/** What `oddity detectors --format json` prints per detector. */
export interface DetectorDoc {
  id: string;
  use: string;
  name: string;
  description: string;
  apiVersion: number;
  options: Array<OptionDoc & { value: unknown }>;
}

const show = (value: unknown) => (value === undefined ? "" : JSON.stringify(value));

/** `oddity detectors`: the detectors the config loads, with each option's type, default and value. */
export async function runDetectors(options: DetectorsOptions, ctx: RunContext): Promise<number> {
  const session = await startSession({ options, ctx, color: options.color });
  const pipeline = await buildPipeline({ config: session.config, loader: session.loader });
  const docs: DetectorDoc[] = pipeline.detectors.map((d) => {
    const values = (typeof d.options === "object" && d.options !== null ? d.options : {}) as Record<
      string,
      unknown
    >;
    return {
      id: d.id,
      use: d.use,
      name: d.definition.meta.name,
      description: d.definition.meta.description,
      apiVersion: d.definition.meta.apiVersion,
      options: describeOptions(d.definition).map((o) => ({ ...o, value: values[o.name] })),
    };
  });
  const sink = openSink({ output: undefined, stdout: ctx.stdout, env: ctx.env });
  if (options.format === "json") {
    await sink.write(`${JSON.stringify({ config: session.config.file, detectors: docs }, null, 2)}\n`);
    return 0;
  }
  const palette = createPalette(
    colorEnabled({ isTTY: sink.isTTY, noColor: options.color === false, env: ctx.env }),
  );
  const blocks = docs.map((doc) => {
    const title = `${palette.bold(escapeTerminal(doc.id))} ${palette.dim(`(${escapeTerminal(doc.use)})`)}  ${escapeTerminal(doc.description)}`;
    if (doc.options.length === 0) return `${title}\n  no options`;
    const rows = doc.options.map((o) => {
      const changed = show(o.value) !== show(o.default);
      return [o.name, o.type, show(o.default), changed ? show(o.value) : "", o.description].map(
        escapeTerminal,
      );
    });
    const table = renderTable({
      columns: [
        { header: "option" },
        { header: "type", flex: true, min: 8 },
        { header: "default", flex: true, min: 8 },
        { header: "set to", flex: true, min: 6, style: palette.yellow },
        { header: "description", flex: 2, min: 16, wrap: true },
      ],
      rows,
      width: sink.isTTY ? sink.columns - 2 : Number.POSITIVE_INFINITY,
      headerStyle: palette.dim,
    });
    return [title, ...table.map((line) => `  ${line}`)].join("\n");
  });
  const source =
    session.config.file === null ? "the bundled defaults (no oddity.config.* found)" : session.config.name;
  await sink.write(`${palette.dim(`Detectors from ${source}:`)}\n\n${blocks.join("\n\n")}\n`);
  return 0;
}
