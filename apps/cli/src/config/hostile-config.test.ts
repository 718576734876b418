import { writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "@oddity/core";
import { describe, expect, it } from "vitest";
import { tempFolders } from "../testing/temp-folders.js";
import { loadConfig } from "./load.js";

// A config file is the user's, but it may come from a repository or a shared folder: whatever it holds
// must end in a ConfigError naming the file, never a crash, a hang or a polluted prototype.

const tempDir = tempFolders("oddity-hostile-config-");

function configIn(name: string, text: string): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("hostile config files", () => {
  it("refuses YAML aliases that expand to millions of nodes", async () => {
    const levels = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const text = levels
      .map((level, i) =>
        i === 0
          ? `${level}: &${level} [lol, lol, lol, lol, lol, lol, lol, lol, lol]`
          : `${level}: &${level} [${Array.from({ length: 9 }, () => `*${levels[i - 1]!}`).join(", ")}]`,
      )
      .join("\n");
    const cwd = configIn("oddity.config.yaml", `${text}\n`);
    await expect(loadConfig({ cwd })).rejects.toThrow(
      new ConfigError(
        "oddity.config.yaml: invalid YAML: Excessive alias count indicates a resource exhaustion attack",
      ),
    );
  });

  it("reports a __proto__ key as an unknown key without polluting any prototype", async () => {
    const cwd = configIn("oddity.config.yaml", "__proto__:\n  polluted: true\ndetectors:\n  - use: rarity\n");
    await expect(loadConfig({ cwd })).rejects.toThrow(
      new ConfigError(
        "oddity.config.yaml: __proto__: unknown key; known keys: $schema, format, fields, inputs, database, detectors, scoring (line 1)",
      ),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses JSON nested 100,000 levels deep with a ConfigError", async () => {
    const cwd = configIn("oddity.config.json", `{"detectors":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    await expect(loadConfig({ cwd })).rejects.toThrow(ConfigError);
  });

  it("refuses YAML nested 100,000 levels deep with a ConfigError", async () => {
    const cwd = configIn("oddity.config.yaml", `detectors: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`);
    await expect(loadConfig({ cwd })).rejects.toThrow(ConfigError);
  });
});
