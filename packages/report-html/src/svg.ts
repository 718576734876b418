import { View, parse, type LoggerInterface } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { installTextMetrics } from "./text-width.js";

// Everything Vega's SVG renderer emits for our charts. Anything else (script, foreignObject, image,
// use …) would mean a value escaped its text node, so the report refuses to render rather than ship it.
const ALLOWED_ELEMENTS = new Set([
  "svg",
  "g",
  "path",
  "rect",
  "line",
  "circle",
  "text",
  "tspan",
  "a",
  "defs",
  "clippath",
  "lineargradient",
  "radialgradient",
  "stop",
  "title",
]);
const TAG = /<\/?([A-Za-z][A-Za-z0-9:-]*)((?:\s+[^\s=/>]+="[^"<>]*")*)\s*\/?>/g;
const ATTRIBUTE = /\s+([^\s=/>]+)="([^"<>]*)"/g;
const INTERNAL_LINK = /^#[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Throws unless `svg` holds only plain drawing elements, no event-handler attributes, no `style`
 * attributes, and links that stay inside the page (`#…`). A second line of defence behind escaping and
 * the page's Content-Security-Policy.
 */
export function assertSafeSvg(svg: string): void {
  let checked = 0;
  for (const match of svg.matchAll(TAG)) {
    const name = match[1]!.toLowerCase();
    if (!ALLOWED_ELEMENTS.has(name)) throw new Error(`unsafe SVG: element <${name}> is not allowed`);
    for (const attr of match[2]!.matchAll(ATTRIBUTE)) {
      const key = attr[1]!.toLowerCase();
      const value = attr[2]!;
      if (key.startsWith("on") || key === "style")
        throw new Error(`unsafe SVG: attribute ${key} is not allowed`);
      if ((key === "href" || key.endsWith(":href")) && !INTERNAL_LINK.test(value)) {
        throw new Error(`unsafe SVG: link ${JSON.stringify(value)} does not stay inside the page`);
      }
    }
    checked += match[0].length;
  }
  // Every "<" must start a tag the pattern understood; anything else is markup it could not check.
  const tags = svg.match(/</g)?.length ?? 0;
  const parsed = [...svg.matchAll(TAG)].length;
  if (tags !== parsed || checked === 0) throw new Error("unsafe SVG: markup the checker cannot parse");
}

// Vega-Lite's notes about our specs (e.g. merged scale domains) are not the user's business.
const quiet: LoggerInterface = {
  level: () => quiet,
  error: (...args: readonly unknown[]) => {
    throw new Error(args.map(String).join(" "));
  },
  warn: () => quiet,
  info: () => quiet,
  debug: () => quiet,
};

/**
 * Renames the SVG's ids (gradients, clip paths) to `<prefix>-1`, `<prefix>-2` … in order of first use.
 * Vega numbers them with a process-wide counter, so the same data would give different bytes, and
 * several inline SVGs share one id namespace in the page.
 */
export function localizeIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  const local = (id: string) => {
    let renamed = ids.get(id);
    if (renamed === undefined) ids.set(id, (renamed = `${prefix}-${ids.size + 1}`));
    return renamed;
  };
  return svg.replace(
    /\bid="([^"]+)"|url\(#([^)]+)\)/g,
    (_, id: string | undefined, ref: string | undefined) =>
      id !== undefined ? `id="${local(id)}"` : `url(#${local(ref!)})`,
  );
}

/**
 * Renders a Vega-Lite spec to an SVG string in Node (no browser, no chart code in the page); `idPrefix`
 * names its gradients and clip paths so several charts can share a page.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix = "chart"): Promise<string> {
  installTextMetrics();
  const vegaSpec = compile(spec, { logger: quiet }).spec;
  const view = new View(parse(vegaSpec), { renderer: "none", logLevel: 0 });
  try {
    const svg = localizeIds(await view.toSVG(), idPrefix);
    assertSafeSvg(svg);
    return svg;
  } finally {
    view.finalize();
  }
}
