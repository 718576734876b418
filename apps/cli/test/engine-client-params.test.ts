import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dataFixture, fixture, oddity, tempDir } from "./helpers.js";

// A WordPress site's log with real scanners and query strings, and the engine's lines DuckDB cannot split.
const WORDPRESS = dataFixture("wap-hackathon-nginx/access.log");
const TRICKY = fixture("engine", "tricky.log");
const CONFIG = fixture("engine-client-params", "oddity.config.yaml");

interface SavedModel {
  sources?: unknown;
  detectors: Array<{ id: string; state: unknown }>;
}

function modelWithoutSources(file: string): SavedModel {
  const { sources: _sources, ...rest } = JSON.parse(readFileSync(file, "utf8")) as SavedModel;
  return rest;
}

describe("oddity fit --engine duckdb with the client and params detectors", () => {
  it("writes the model oddity fit writes, but for sources", async () => {
    const dir = tempDir();
    const common = ["fit", WORDPRESS, TRICKY, "--config", CONFIG, "-q"];
    const duck = await oddity([...common, "--engine", "duckdb", "--jobs", "2", "-o", "duck.json"], {
      cwd: dir,
    });
    const own = await oddity([...common, "-o", "own.json"], { cwd: dir });
    expect([duck.code, own.code]).toEqual([0, 0]);
    const model = modelWithoutSources(path.join(dir, "own.json"));
    expect(modelWithoutSources(path.join(dir, "duck.json"))).toEqual(model);
    // Equal models prove something only if both detectors learned plenty: a few hundred kB of state.
    expect(model.detectors.map((d) => d.id)).toEqual(["client", "client-pair", "params", "params-by-agent"]);
    expect(model.detectors.map((d) => JSON.stringify(d.state).length > 10_000)).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });
});
