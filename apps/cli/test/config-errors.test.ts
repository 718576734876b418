import { describe, expect, it } from "vitest";
import { LESSON_SYNTHETIC, fixture, oddity } from "./helpers.js";

describe("config errors", () => {
  it("suggests the nearest key for a typo, with the line, and exits 2 without a stack", async () => {
    const { code, stdout, stderr } = await oddity(["detect", LESSON_SYNTHETIC], {
      cwd: fixture("config-typo"),
    });
    expect([code, stdout, stderr]).toEqual([
      2,
      "",
      'oddity: error: oddity.config.yaml: detectors[0].optoins: unknown key; did you mean "options"? (line 3)\n',
    ]);
  });

  it("says what type a key expects and what it found", async () => {
    const { code, stderr } = await oddity(["profile", LESSON_SYNTHETIC], { cwd: fixture("config-bad-type") });
    expect([code, stderr]).toEqual([
      2,
      'oddity: error: oddity.config.yaml: scoring.minScore: expected number, received "high" (line 2)\n',
    ]);
  });

  it("names the bad detector option by its key path", async () => {
    const { code, stderr } = await oddity(["detect", LESSON_SYNTHETIC], {
      cwd: fixture("config-bad-option"),
    });
    expect([code, stderr.split("\n")[0]]).toEqual([
      2,
      'oddity: error: oddity.config.yaml: detectors[0].options.budget: expected a share of requests above 0 and at most 0.5 (0.01 = 1%), or null to turn the budget off, received "lots"',
    ]);
  });

  it("names a plugin that cannot be found, the config key and the fix", async () => {
    const { code, stderr } = await oddity(["detect", LESSON_SYNTHETIC], {
      cwd: fixture("config-missing-plugin"),
    });
    const dir = fixture("config-missing-plugin");
    expect([code, stderr]).toEqual([
      2,
      `oddity: error: oddity.config.yaml: detectors[1].use: cannot load detector "./detectors/missing.js": ${dir}/detectors/missing.js does not exist. Relative paths resolve from ${dir}; check the path and the file name\n`,
    ]);
  });

  it("reports a YAML syntax error with its line", async () => {
    const { code, stderr } = await oddity(["detect", LESSON_SYNTHETIC], {
      cwd: fixture("config-yaml-syntax"),
    });
    expect([code, /^oddity: error: oddity\.config\.yaml:\d+:\d+: invalid YAML: /.test(stderr)]).toEqual([
      2,
      true,
    ]);
  });

  it("finds the config from a subfolder of its folder", async () => {
    const { code, stderr } = await oddity(["detect", LESSON_SYNTHETIC], {
      cwd: fixture("config-typo", "..", "config-typo"),
    });
    expect([code, stderr.includes("optoins")]).toEqual([2, true]);
  });

  it("treats an unknown option as a usage error with exit 2, suggesting the nearest", async () => {
    const { code, stderr } = await oddity(["detect", LESSON_SYNTHETIC, "--tpo", "3"]);
    expect([code, stderr]).toEqual([
      2,
      'oddity: Unknown argument: tpo (did you mean --top?)\nRun "oddity --help" for usage.\n',
    ]);
  });

  it("refuses a negative --top as a usage error", async () => {
    const { code, stderr } = await oddity(["detect", LESSON_SYNTHETIC, "--top", "-3"]);
    expect([code, stderr]).toEqual([
      2,
      'oddity: --top: expected a whole number ≥ 0, received -3\nRun "oddity --help" for usage.\n',
    ]);
  });
});

describe("a config with several mistakes", () => {
  it("reports every one in a single run: a misspelt field, detector name, option value and plugin", async () => {
    const { code, stderr } = await oddity(["detect", fixture("incidents", "access.log.gz")], {
      cwd: fixture("config-many-mistakes"),
    });
    expect([code, stderr.split("\n").filter((line) => line.startsWith("  - "))]).toEqual([
      2,
      [
        '  - oddity.config.yaml: detectors[0].options.fields[1]: "stauts" is not a known field; did you mean "status"? (the combined format has no such field)',
        '  - oddity.config.yaml: detectors[1].use: unknown detector "conditonal"; did you mean "conditional"? The bundled detectors are rarity, conditional, size, params, client, targets; a plugin is a relative path ("./conditonal.js") or a scoped package name ("@scope/conditonal")',
        '  - oddity.config.yaml: detectors[2].options.method: expected "iqr", "mad" or "zscore", received "median"',
        '  - oddity.config.yaml: detectors[3].use: unknown detector "oddity-detector-none". The bundled detectors are rarity, conditional, size, params, client, targets; a plugin is a relative path ("./oddity-detector-none.js") or a scoped package name ("@scope/oddity-detector-none")',
      ],
    ]);
  });
});
