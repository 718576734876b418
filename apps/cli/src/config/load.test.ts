import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempFolders } from "../testing/temp-folders.js";
import { findConfigFile, loadConfig } from "./load.js";

const tempDir = tempFolders("oddity-config-");

describe("findConfigFile", () => {
  it("finds the config in a parent folder of the working directory", () => {
    const root = tempDir();
    mkdirSync(path.join(root, "logs", "2019"), { recursive: true });
    writeFileSync(path.join(root, "oddity.config.yml"), "format: combined\n");
    expect(findConfigFile(path.join(root, "logs", "2019"))).toEqual({
      file: path.join(root, "oddity.config.yml"),
      ignored: [],
    });
  });

  it("prefers JSON over YAML in one folder and reports the one it ignores", () => {
    const root = tempDir();
    writeFileSync(path.join(root, "oddity.config.yaml"), "{}\n");
    writeFileSync(path.join(root, "oddity.config.json"), "{}\n");
    expect(findConfigFile(root)).toEqual({
      file: path.join(root, "oddity.config.json"),
      ignored: [path.join(root, "oddity.config.yaml")],
    });
  });
});

describe("loadConfig", () => {
  it("uses the bundled defaults when no config exists", async () => {
    const root = tempDir();
    const { config } = await loadConfig({ cwd: root });
    expect([config.file, config.name, config.detectors.map((d) => d.use)]).toEqual([
      null,
      "(defaults)",
      ["rarity", "conditional", "size", "params", "client", "client", "targets"],
    ]);
  });

  it("names the --config file that does not exist", async () => {
    await expect(loadConfig({ cwd: tempDir(), configPath: "nope.yaml" })).rejects.toThrow(
      "--config nope.yaml: no such file",
    );
  });

  it("loads a JavaScript config from its default export", async () => {
    const root = tempDir();
    writeFileSync(
      path.join(root, "oddity.config.mjs"),
      'export default { format: "combined", scoring: { top: 5 } };\n',
    );
    const { config } = await loadConfig({ cwd: root });
    expect([config.format, config.scoring]).toEqual([{ name: "combined" }, { top: 5 }]);
  });

  it("lists every problem of a config at once", async () => {
    const root = tempDir();
    writeFileSync(path.join(root, "oddity.config.yaml"), "scoring:\n  top: -1\n  combin: sum\n");
    await expect(loadConfig({ cwd: root })).rejects.toThrow(
      [
        "oddity.config.yaml: 2 problems",
        "  - oddity.config.yaml: scoring.top: expected number to be >=0, received -1 (line 2)",
        '  - oddity.config.yaml: scoring.combin: unknown key; did you mean "combine"? (line 3)',
      ].join("\n"),
    );
  });

  it("raises a config error, not a crash, for a config that is a list", async () => {
    const root = tempDir();
    writeFileSync(path.join(root, "oddity.config.yaml"), "- rarity\n");
    await expect(loadConfig({ cwd: root })).rejects.toThrow(
      "oddity.config.yaml: expected object, received a list",
    );
  });
});
