import path from "node:path";
import { describe, expect, it } from "vitest";
import type { OddityConfig } from "../config/normalize.js";
import { resolveInputs } from "./common.js";

const config: OddityConfig = {
  file: "/srv/oddity/oddity.config.yaml",
  name: "oddity.config.yaml",
  dir: "/srv/oddity",
  format: { name: "auto" },
  inputs: ["logs/*.log", "-", "/var/log/nginx/access.log", "mysql://u@db/logs"],
  database: {},
  detectors: [],
  scoring: {},
};

describe("resolveInputs", () => {
  it("uses the command line's inputs when there are any", () => {
    expect(resolveInputs({ given: ["a.log"], config })).toEqual(["a.log"]);
  });

  it("reads the config's inputs relative to the config's folder, leaving -, absolute paths and URLs alone", () => {
    expect(resolveInputs({ given: [], config })).toEqual([
      path.join("/srv/oddity", "logs/*.log"),
      "-",
      "/var/log/nginx/access.log",
      "mysql://u@db/logs",
    ]);
  });

  it("asks for inputs when neither names any", () => {
    expect(() => resolveInputs({ given: [], config: { ...config, inputs: [] } })).toThrow(
      'no inputs: name log files (or "-" for stdin, or a database URL), or list them under "inputs" in oddity.config.yaml',
    );
  });
});
