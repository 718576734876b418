import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CODEUP, EXAMPLES, LESSON_SYNTHETIC, fixture, ndjson, oddity, tempDir } from "./helpers.js";

const CUSTOM = path.join(EXAMPLES, "custom-detector");
const HOSTILE = fixture("hostile", "access.log");

describe("oddity show", () => {
  it("prints the records behind a value as JSON, like the lesson's df[df.user_agent == ...]", async () => {
    const { code, stdout } = await oddity([
      "show",
      CODEUP,
      "--where",
      "user_agent=Python-urllib/3.7",
      "--format",
      "json",
      "-q",
    ]);
    const { matched, records } = JSON.parse(stdout) as {
      matched: number;
      records: Array<Record<string, unknown>>;
    };
    expect([code, matched, records.map((r) => [r.line, r.ip, r.path, r.status, r.size])]).toEqual([
      0,
      1,
      [[6694, "97.105.19.58", "/api/v1/items&page=0", 200, 162]],
    ]);
  });

  it("ANDs several conditions given by the lesson's column names", async () => {
    const { stdout } = await oddity([
      "show",
      CODEUP,
      "--where",
      "user_agent=Slackbot 1.0 (+https://api.slack.com/robots)",
      "--where",
      "ip=52.87.230.102",
      "--format",
      "ndjson",
      "-q",
    ]);
    expect((ndjson(stdout) as Array<{ line: number }>).map((r) => r.line)).toEqual([12442]);
  });

  it("neutralises a spreadsheet formula in a user agent in CSV output", async () => {
    const { stdout } = await oddity(["show", HOSTILE, "--where", "ip=10.9.9.8", "--format", "csv", "-q"]);
    const row = stdout.split("\r\n")[1]!;
    expect(row.includes(`,"'=HYPERLINK(""http://evil.example"",""click"")",`)).toBe(true);
  });
});

describe("oddity init", () => {
  it("writes a starter config that oddity then loads, and refuses to overwrite it", async () => {
    const dir = tempDir();
    const first = await oddity(["init"], { cwd: dir });
    const text = readFileSync(path.join(dir, "oddity.config.yaml"), "utf8");
    const again = await oddity(["init"], { cwd: dir });
    const listed = await oddity(["detectors", "--format", "json"], { cwd: dir });
    const { config, detectors } = JSON.parse(listed.stdout) as {
      config: string;
      detectors: Array<{ id: string }>;
    };
    expect([first.code, text.startsWith("# oddity.config.yaml"), again.code, again.stderr]).toEqual([
      0,
      true,
      2,
      "oddity: error: oddity.config.yaml already exists; use --force to overwrite it\n",
    ]);
    expect([listed.code, config, detectors.map((d) => d.id)]).toEqual([
      0,
      path.join(dir, "oddity.config.yaml"),
      ["rarity", "conditional", "size", "params", "client", "client-by-agent", "targets"],
    ]);
  });
});

describe("oddity detectors", () => {
  it("describes every option of the bundled detectors", async () => {
    const { code, stdout } = await oddity(["detectors", "--format", "json"]);
    const { detectors } = JSON.parse(stdout) as {
      detectors: Array<{ id: string; options: Array<{ name: string; description: string }> }>;
    };
    const undescribed = detectors.flatMap((d) =>
      d.options.filter((o) => o.description.trim() === "").map((o) => `${d.id}.${o.name}`),
    );
    expect([code, detectors.map((d) => d.id), undescribed]).toEqual([
      0,
      ["rarity", "conditional", "size", "params", "client", "client-by-agent", "targets"],
      [],
    ]);
  });

  it("lists each option with its default and the value the config sets", async () => {
    const { code, stdout } = await oddity(["detectors", "--format", "json"], { cwd: CUSTOM });
    const { detectors } = JSON.parse(stdout) as {
      detectors: Array<{
        id: string;
        use: string;
        options: Array<{ name: string; default: unknown; value: unknown; description: string }>;
      }>;
    };
    const guard = detectors.find((d) => d.id === "route-guard")!;
    expect([code, detectors.map((d) => d.use), guard.options.find((o) => o.name === "minSupport")]).toEqual([
      0,
      ["rarity", "./route-guard.js"],
      {
        name: "minSupport",
        type: "integer",
        default: 20,
        value: 20,
        description:
          "requests a path template needs in the baseline before an unseen method on it is flagged",
      },
    ]);
  });
});

describe("the custom detector example", () => {
  it("runs through the built CLI from its own oddity.config.yaml and explains both of its findings", async () => {
    const { code, stdout } = await oddity(
      ["detect", fixture("custom-plugin", "traffic.log"), "--baseline", CODEUP, "--format", "json", "-q"],
      {
        cwd: CUSTOM,
      },
    );
    const { anomalies } = JSON.parse(stdout) as {
      anomalies: Array<{
        line: number;
        findings: Array<{ detector: string; kind: string; counts: Record<string, number> }>;
      }>;
    };
    const guard = anomalies.map((a) => [
      a.line,
      a.findings.filter((f) => f.detector === "route-guard").map((f) => [f.kind, f.counts]),
    ]);
    expect([code, guard]).toEqual([
      0,
      [
        [1, [["traversal", { traversal: 0, total: 13974 }]]],
        [2, [["method", { count: 0, given_count: 1065, methods: 1 }]]],
      ],
    ]);
  });
});

describe("oddity detect --report", () => {
  it("writes a self-contained HTML report next to the results", async () => {
    const dir = tempDir();
    const { code } = await oddity(
      ["detect", LESSON_SYNTHETIC, "--baseline", CODEUP, "--report", "report.html", "-q", "--format", "json"],
      {
        cwd: dir,
      },
    );
    const html = readFileSync(path.join(dir, "report.html"), "utf8");
    expect([
      code,
      existsSync(path.join(dir, "report.html")),
      html.startsWith("<!doctype html>") || html.startsWith("<!DOCTYPE html>"),
    ]).toEqual([0, true, true]);
  });
});

describe("the remaining formats", () => {
  it("profile --format csv writes field,given,value,count,probability rows", async () => {
    const { stdout } = await oddity([
      "profile",
      LESSON_SYNTHETIC,
      "--field",
      "status",
      "--format",
      "csv",
      "-q",
    ]);
    expect(stdout.split("\r\n")).toEqual([
      "field,given,value,count,probability",
      "status,,200,2,0.5",
      "status,,301,2,0.5",
      "",
    ]);
  });

  it("show prints a table with one row per matching record, every value escaped", async () => {
    const { stdout } = await oddity(["show", HOSTILE, "--where", "ip=10.9.9.9", "-q"], {
      env: { COLUMNS: "300" },
    });
    const lines = stdout.trimEnd().split("\n");
    expect([
      lines.length,
      lines[0]!.split(/\s+/),
      stdout.includes("\u001b"),
      lines[1]!.includes("evil\\x1B[31mRED"),
    ]).toEqual([2, ["where", "time", "ip", "method", "path", "status", "size", "user_agent"], false, true]);
  });

  it("detectors prints a table of each detector's options", async () => {
    const { code, stdout } = await oddity(["detectors"], { cwd: CUSTOM, env: { COLUMNS: "200" } });
    const lines = stdout.split("\n");
    expect([code, lines[0], lines.some((l) => /^ {2}minSupport\s+integer\s+20\s+/.test(l))]).toEqual([
      0,
      "Detectors from oddity.config.yaml:",
      true,
    ]);
  });
});

describe("oddity merge of a model with itself", () => {
  it("refuses the same model twice, naming both files, and merges it with --allow-duplicates", async () => {
    const dir = tempDir();
    const log = fixture("incidents", "access.log.gz");
    expect((await oddity(["fit", log, "--output", "a.json", "-q"], { cwd: dir })).code).toBe(0);
    copyFileSync(path.join(dir, "a.json"), path.join(dir, "copy.json"));
    const refused = await oddity(["merge", "a.json", "copy.json", "--output", "m.json"], { cwd: dir });
    const allowed = await oddity(
      ["merge", "a.json", "a.json", "--output", "m.json", "--allow-duplicates", "-q"],
      {
        cwd: dir,
      },
    );
    const merged = JSON.parse(readFileSync(path.join(dir, "m.json"), "utf8")) as { records: number };
    expect([refused.code, refused.stderr.split(": holds")[0], allowed.code, merged.records]).toEqual([
      2,
      "oddity: error: copy.json",
      0,
      4012,
    ]);
    expect(refused.stderr).toContain("same model as a.json");
  });
});

describe("the README's command that puts oddity on PATH", () => {
  it("links a working oddity command into a folder on PATH", () => {
    const root = path.resolve(import.meta.dirname, "../../..");
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    const command = readme.split("\n").find((line) => line.startsWith("ln -s ") && line.includes("oddity"));
    const bin = tempDir();
    // The documented command, with a fresh folder in place of ~/.local/bin.
    const link = spawnSync("sh", ["-c", command!.replace("~/.local/bin", bin)], {
      cwd: root,
      encoding: "utf8",
    });
    const run = spawnSync("oddity", ["--version"], {
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
      encoding: "utf8",
    });
    const { version } = JSON.parse(
      readFileSync(path.resolve(import.meta.dirname, "../package.json"), "utf8"),
    ) as {
      version: string;
    };
    expect([link.status, run.status, run.stdout.trim()]).toEqual([0, 0, version]);
  });
});
