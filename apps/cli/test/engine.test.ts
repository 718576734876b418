import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLES, fixture, oddity, tempDir } from "./helpers.js";

const SAMPLE = path.join(EXAMPLES, "sample", "access.log");
const TRICKY = fixture("engine", "tricky.log");
const CONFIG = fixture("engine", "oddity.config.yaml");

function modelWithoutSources(file: string): unknown {
  const { sources: _sources, ...rest } = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  return rest;
}

describe("oddity fit --engine duckdb", () => {
  it("writes the model oddity fit writes, but for sources, and reports the same lines read", async () => {
    const dir = tempDir();
    const duck = await oddity(
      ["fit", SAMPLE, TRICKY, "--config", CONFIG, "--engine", "duckdb", "--jobs", "2", "-o", "duck.json"],
      { cwd: dir },
    );
    const own = await oddity(["fit", SAMPLE, TRICKY, "--config", CONFIG, "-o", "own.json"], { cwd: dir });
    expect([duck.code, own.code]).toEqual([0, 0]);
    const model = modelWithoutSources(path.join(dir, "duck.json")) as { detectors: Array<{ use: string }> };
    expect(model.detectors.map((d) => d.use)).toEqual(["rarity", "conditional", "size"]);
    expect(model).toEqual(modelWithoutSources(path.join(dir, "own.json")));
    const summary = (stderr: string) => /read [\d,]+ lines: [^;]+/.exec(stderr)?.[0];
    expect(summary(duck.stderr)).toBe(summary(own.stderr));
    // The summary counts records per layout (up to its first ";"): the tricky fixture's host-name client
    // is a layout of its own, and its four lines with a spaced user or a timestamp that does not parse are
    // rejected (10,014 parsed of 10,024).
    expect(summary(duck.stderr)).toBe("read 10,024 lines: 10,014 parsed (10,013 combined");
  });

  it("fits the default pipeline (no config), every bundled detector from its declared counts", async () => {
    const dir = tempDir();
    const duck = await oddity(
      ["fit", SAMPLE, TRICKY, "--engine", "duckdb", "--jobs", "2", "-o", "duck.json"],
      {
        cwd: dir,
      },
    );
    const own = await oddity(["fit", SAMPLE, TRICKY, "-o", "own.json"], { cwd: dir });
    expect([duck.code, own.code]).toEqual([0, 0]);
    const model = modelWithoutSources(path.join(dir, "duck.json")) as { detectors: Array<{ id: string }> };
    expect(model.detectors.map((d) => d.id)).toEqual([
      "rarity",
      "conditional",
      "size",
      "params",
      "client",
      "client-by-agent",
      "targets",
    ]);
    expect(model).toEqual(modelWithoutSources(path.join(dir, "own.json")));
  });

  it("refuses a pipeline naming each detector that declares no counts, and only those (exit 2)", async () => {
    // The custom-detector example runs the bundled rarity, which declares its counts, and route-guard.
    const model = path.join(tempDir(), "m.json");
    const { code, stderr } = await oddity(["fit", TRICKY, "--engine", "duckdb", "-o", model], {
      cwd: path.join(EXAMPLES, "custom-detector"),
    });
    expect([code, stderr.split("\n").filter((line) => line.startsWith("  - "))]).toEqual([
      2,
      [
        '  - detector "route-guard" (./route-guard.js) learns record by record only; fit without --engine, or have it declare `counts` and `foldCounts` (docs/plugins.md)',
      ],
    ]);
  });

  it("refuses stdin, which it cannot hand to DuckDB", async () => {
    const { code, stderr } = await oddity(
      ["fit", "-", "--config", CONFIG, "--engine", "duckdb", "-o", "m.json"],
      {
        input: readFileSync(TRICKY, "utf8"),
      },
    );
    expect([code, stderr]).toEqual([2, expect.stringContaining("stdin is fitted without --engine")]);
  });
});

describe("oddity profile --engine duckdb", () => {
  it.each([
    ["every categorical field", []],
    [
      "P(status | ip) and P(path_template | ip)",
      ["--given", "ip", "--field", "status", "--field", "path_template"],
    ],
    ["derived and hostile fields", ["--field", "hour", "--field", "endpoint", "--field", "user"]],
  ])("prints the tables oddity profile prints: %s", async (_name, args) => {
    const common = ["profile", SAMPLE, TRICKY, ...args, "--format", "json", "-q"];
    const duck = await oddity([...common, "--engine", "duckdb", "--jobs", "2"]);
    const own = await oddity(common);
    expect([duck.code, own.code]).toEqual([0, 0]);
    expect(duck.stdout.length).toBeGreaterThan(1000);
    expect(duck.stdout).toBe(own.stdout);
  });
});
