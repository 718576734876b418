import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fixture } from "@oddity/fixtures";
import {
  createScorer,
  fitBatches,
  isUserError,
  mergeModels,
  readInputs,
  type LogRecord,
  type Model,
} from "@oddity/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config/load.js";
import type { OddityConfig } from "./config/normalize.js";
import { loadModel, modelText } from "./model-io.js";
import { buildPipeline } from "./pipeline.js";
import { createPluginLoader } from "./plugins/load.js";

// Saved models travel between machines and may be truncated, corrupted or forged. Loading one must end
// in a ModelError (exit 2) or a model that scores without crashing; never a crash, a polluted prototype
// or a half-loaded model.

let dir: string;
let config: OddityConfig;
let text: string;
let json: unknown;
let sample: LogRecord[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "oddity-model-fuzz-"));
  config = (await loadConfig({ cwd: dir })).config;
  const pipeline = await buildPipeline({ config, loader: createPluginLoader() });
  const input = readInputs({
    inputs: [fixture("codeup-api-access/access.log")],
    format: { name: "combined" },
  });
  const { model } = await fitBatches({ pipeline, batches: input });
  text = modelText(model);
  json = JSON.parse(text);
  const odd = readInputs({
    inputs: [fixture("codeup-api-access/lesson-synthetic.log")],
    format: { name: "combined" },
  });
  sample = [];
  for await (const batch of odd) sample.push(...batch.records);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let written = 0;
async function load(content: string): Promise<Model> {
  const file = path.join(dir, `model-${written++}.json`);
  writeFileSync(file, content);
  return loadModel({ file, loader: createPluginLoader(), config });
}

/** Loads `content`; a failure must be a user error, a success must score the sample without throwing. */
async function loadSafely(content: string): Promise<"refused" | "loaded"> {
  let model: Model;
  try {
    model = await load(content);
  } catch (error) {
    expect([isUserError(error), (error as Error).message.startsWith(path.join(dir, "model-"))]).toEqual([
      true,
      true,
    ]);
    return "refused";
  }
  const score = createScorer(model);
  for (const record of sample) {
    const scored = score(record);
    if (scored !== null) expect(scored.score >= 0 && !Number.isNaN(scored.score)).toBe(true);
  }
  JSON.parse(modelText(model));
  return "loaded";
}

function unpolluted(): boolean {
  return ({} as Record<string, unknown>).polluted === undefined;
}

/** Every path to a value in a JSON tree, arrays and objects included. */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const found = [at];
  if (Array.isArray(value)) value.forEach((v, i) => found.push(...paths(v, [...at, i])));
  else if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) found.push(...paths(v, [...at, k]));
  return found;
}

function replaced(root: unknown, at: ReadonlyArray<string | number>, value: unknown): unknown {
  if (at.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[at.at(-1)!] = value;
  return copy;
}

const HOSTILE_VALUES: unknown[] = [
  -1,
  0.5,
  2 ** 53,
  2 ** 60,
  1e308,
  null,
  true,
  "",
  "__proto__",
  "x".repeat(100_000),
  [],
  {},
  [["__proto__", 1]],
  { version: 2 },
];

describe("loading damaged and forged models", () => {
  it("refuses every truncated copy of a model with a ModelError naming the file", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: text.length - 2 }), async (cut) => {
        expect(await loadSafely(text.slice(0, cut))).toBe("refused");
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it("refuses or safely loads a model with any one byte changed", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 255 }), async (at, byte) => {
        const bytes = Buffer.from(text);
        bytes[at % bytes.length] = byte;
        await loadSafely(bytes.toString("latin1"));
        expect(unpolluted()).toBe(true);
      }),
      { seed: 42, numRuns: 80 },
    );
  });

  it("refuses or safely loads a model with any value swapped for a crafted one", async () => {
    const all = paths(json);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...all), fc.constantFrom(...HOSTILE_VALUES), async (at, value) => {
        await loadSafely(JSON.stringify(replaced(json, at, value)));
        expect(unpolluted()).toBe(true);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it("ignores a __proto__ key at the top of a model and refuses one in detector options or state", async () => {
    const top = text.replace("{", '{"__proto__":{"polluted":true},');
    const state = text.replace('"state": {', '"state": {"__proto__":{"polluted":true},');
    const options = text.replace('"options": {', '"options": {"__proto__":{"polluted":true},');
    const results = [await loadSafely(top), await loadSafely(state), await loadSafely(options), unpolluted()];
    expect(results).toEqual(["loaded", "refused", "refused", true]);
  });

  it("refuses negative counts and a version from the future", async () => {
    const negative = text.replace(/"total": \d+/, '"total": -3');
    const future = text.replace('"version": 1', '"version": 2');
    expect([await loadSafely(negative), await loadSafely(future)]).toEqual(["refused", "refused"]);
  });

  it("refuses to merge models whose record counts would no longer be exact", async () => {
    const huge = text.replace(/"records": \d+/, `"records": ${Number.MAX_SAFE_INTEGER - 10}`);
    const model = await load(huge);
    expect(() => mergeModels(model, model)).toThrow(/more than 2\^53/);
  });
});
