import { spawn } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  lstatSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, CODEUP, LESSON_SYNTHETIC, oddity, tempDir, waitForEntry } from "./helpers.js";

// Faults a run meets in the field: a full disk, Ctrl-C, plugins that throw, model files from elsewhere.

/** A detector plugin without dependencies; `BOOM=fit|score|prepare` makes that hook throw. */
const PLUGIN = `
const options = { "~standard": { version: 1, vendor: "test", validate: (value) => ({ value: value ?? {} }) } };
const fail = (phase, record) => {
  if (process.env.BOOM === phase && (record === undefined || record.path === "/boom")) throw new Error("cannot cope");
};
export default {
  meta: { name: "boom", description: "throws where BOOM says", apiVersion: 1, options },
  create: () => ({
    init: () => ({ n: 0 }),
    observe(state, record) { fail("fit", record); state.n++; },
    merge: (a, b) => ({ n: a.n + b.n }),
    prepare() { fail("prepare"); },
    score(state, record) { fail("score", record); return []; },
    toJSON: (state) => ({ n: state.n }),
    fromJSON: (json) => ({ n: json.n }),
  }),
};
`;

const CONFIG = "detectors:\n  - use: rarity\n  - use: ./boom.js\n";
const BOOM_LINE = '10.0.0.1 - - [16/Apr/2019:19:34:42 +0000] "GET /boom HTTP/1.1" 200 12 "-" "curl/8.0"\n';

function pluginProject(): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, "boom.js"), PLUGIN);
  writeFileSync(path.join(dir, "oddity.config.yaml"), CONFIG);
  writeFileSync(path.join(dir, "traffic.log"), readFileSync(LESSON_SYNTHETIC, "utf8") + BOOM_LINE);
  return dir;
}

/**
 * Starts the CLI on a stdin that keeps sending the Codeup log and never ends, and sends SIGINT once the
 * run is busy reading it; resolves with the exit code and how long the run took to stop.
 */
function interrupt(args: string[], cwd: string): Promise<{ code: number | null; ms: number }> {
  const log = readFileSync(CODEUP);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["pipe", "ignore", "ignore"] });
    let sentAt = 0;
    let feeding = true;
    const feed = () => {
      while (feeding && child.stdin.write(log));
    };
    // The pipe holds 64 KiB: the first drain means the run has read a whole copy of the log, so it is
    // up, past installing its Ctrl-C handler, and reading. Interrupt then, not after a guessed delay.
    child.stdin.once("drain", () => {
      sentAt = Date.now();
      child.kill("SIGINT");
    });
    child.stdin.on("drain", feed).on("error", () => undefined);
    feed();
    child.on("error", reject);
    child.on("close", (code) => {
      feeding = false;
      resolve({ code, ms: Date.now() - sentAt });
    });
  });
}

describe("a full disk", () => {
  it("is a clear error for --output, and the device behind the path stays a device", async () => {
    const dir = tempDir();
    const out = path.join(dir, "out.json");
    symlinkSync("/dev/full", out);
    const { code, stderr } = await oddity([
      "detect",
      LESSON_SYNTHETIC,
      "--baseline",
      CODEUP,
      "-q",
      "--output",
      out,
    ]);
    expect([
      code,
      stderr.trimEnd().split("\n").at(-1),
      readlinkSync(out),
      lstatSync("/dev/full").isCharacterDevice(),
    ]).toEqual([2, `oddity: error: cannot write ${out}: no space left on the device`, "/dev/full", true]);
  });

  it("is a clear error for stdout, with no stack", async () => {
    const full = openSync("/dev/full", "w");
    try {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, "detect", LESSON_SYNTHETIC, "--baseline", CODEUP, "-q"], {
          stdio: ["ignore", full, "pipe"],
        });
        let stderr = "";
        child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stderr }));
      });
      expect([result.code, result.stderr.trimEnd().split("\n").at(-1)]).toEqual([
        2,
        "oddity: error: cannot write to standard output: no space left on the device",
      ]);
    } finally {
      closeSync(full);
    }
  });
});

describe("Ctrl-C", () => {
  it("stops fit reading stdin promptly with exit 130 and leaves no model and no temp file", async () => {
    const dir = tempDir();
    const { code, ms } = await interrupt(["fit", "-", "--output", "model.json", "-q"], dir);
    expect([code, ms < 5000, readdirSync(dir)]).toEqual([130, true, []]);
  });

  it("stops detect reading stdin promptly with exit 130 and leaves no results file", async () => {
    const dir = tempDir();
    const { code, ms } = await interrupt(["detect", "-", "--output", "out.json", "-q"], dir);
    expect([code, ms < 5000, readdirSync(dir)]).toEqual([130, true, []]);
  });

  it("removes the anomalies score had spooled to the temp folder while ranking an endless stdin", async () => {
    const dir = tempDir();
    const tmp = tempDir();
    expect((await oddity(["fit", CODEUP, "--output", "model.json", "-q"], { cwd: dir })).code).toBe(0);
    const log = readFileSync(CODEUP);
    const child = spawn(
      process.execPath,
      [BIN, "score", "-", "--model", "model.json", "--format", "json", "-q"],
      {
        cwd: dir,
        env: { ...process.env, TMPDIR: tmp, ODDITY_SPOOL_MEMORY: "0" },
        stdio: ["pipe", "ignore", "ignore"],
      },
    );
    let feeding = true;
    const feed = () => {
      while (feeding && child.stdin.write(log));
    };
    child.stdin.on("drain", feed).on("error", () => undefined);
    feed();
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    // The spool exists once the first anomalies are ranked: interrupt only then.
    await waitForEntry({ dir: tmp, accept: () => true, child });
    const spooled = readdirSync(tmp).length;
    child.kill("SIGINT");
    const code = await exited;
    feeding = false;
    expect([spooled, code, readdirSync(tmp)]).toEqual([1, 130, []]);
  });
});

describe("a detector plugin that throws", () => {
  it("is named with the file:line of the record it was fitting", async () => {
    const dir = pluginProject();
    const { code, stderr } = await oddity(["detect", "traffic.log", "-q"], {
      cwd: dir,
      env: { BOOM: "fit" },
    });
    expect([code, stderr.split("\n")[1]]).toEqual([
      70,
      'DetectorError: detector "boom" threw while fitting traffic.log:5: cannot cope',
    ]);
  });

  it("is named with the file:line of the record it was scoring", async () => {
    const dir = pluginProject();
    const { code, stderr } = await oddity(["detect", "traffic.log", "--baseline", LESSON_SYNTHETIC, "-q"], {
      cwd: dir,
      env: { BOOM: "score" },
    });
    expect([code, stderr.split("\n")[1]]).toEqual([
      70,
      'DetectorError: detector "boom" threw while scoring traffic.log:5: cannot cope',
    ]);
  });

  it("is blamed, not oddity, when it throws in a worker thread (--jobs 2)", async () => {
    const dir = pluginProject();
    writeFileSync(path.join(dir, "copy.log"), readFileSync(LESSON_SYNTHETIC));
    const { code, stderr } = await oddity(
      ["fit", "copy.log", "traffic.log", "--jobs", "2", "-o", "m.json", "-q"],
      {
        cwd: dir,
        env: { BOOM: "fit", ODDITY_JOB_MIN_BYTES: "0" },
      },
    );
    expect([code, stderr.split("\n").slice(0, 2)]).toEqual([
      70,
      [
        "oddity: unexpected error (this is a bug in the detector named below; please report it with the command you ran):",
        'DetectorError: detector "boom" threw while fitting traffic.log:5: cannot cope',
      ],
    ]);
  });

  it("is blamed when it throws while scoring in the worker threads that fitted (detect --jobs 2)", async () => {
    const dir = pluginProject();
    writeFileSync(path.join(dir, "copy.log"), readFileSync(LESSON_SYNTHETIC));
    const { code, stderr } = await oddity(["detect", "copy.log", "traffic.log", "--jobs", "2", "-q"], {
      cwd: dir,
      env: { BOOM: "score", ODDITY_JOB_MIN_BYTES: "0" },
    });
    expect([code, stderr.split("\n").slice(0, 2)]).toEqual([
      70,
      [
        "oddity: unexpected error (this is a bug in the detector named below; please report it with the command you ran):",
        'DetectorError: detector "boom" threw while scoring traffic.log:5: cannot cope',
      ],
    ]);
  });

  it("is named when it throws outside any record, preparing the model", async () => {
    const dir = pluginProject();
    const { code, stderr } = await oddity(["fit", "traffic.log", "--output", "model.json", "-q"], {
      cwd: dir,
      env: { BOOM: "prepare" },
    });
    expect([code, stderr.split("\n")[1], readdirSync(dir).includes("model.json")]).toEqual([
      70,
      'DetectorError: detector "boom" threw while preparing the model: cannot cope',
      false,
    ]);
  });
});

describe("a model file from elsewhere", () => {
  it("cannot make oddity import a plugin the config does not name", async () => {
    const project = pluginProject();
    expect(
      (await oddity(["fit", "traffic.log", "--output", "model.json", "-q"], { cwd: project })).code,
    ).toBe(0);
    // The same model, handed to someone whose folder holds a module of the same name that must not run.
    const elsewhere = tempDir();
    copyFileSync(path.join(project, "model.json"), path.join(elsewhere, "model.json"));
    writeFileSync(
      path.join(elsewhere, "boom.js"),
      `import { writeFileSync } from "node:fs";\nwriteFileSync("ran", "");\n${PLUGIN}`,
    );
    const { code, stderr } = await oddity(["score", LESSON_SYNTHETIC, "--model", "model.json", "-q"], {
      cwd: elsewhere,
    });
    expect([code, stderr, existsSync(path.join(elsewhere, "ran"))]).toEqual([
      2,
      'oddity: error: model.json: the model uses the detector plugin "./boom.js", which no oddity config names. A model cannot choose code to run: if you trust that plugin, list it under detectors (use: "./boom.js") in your oddity.config.yaml\n',
      false,
    ]);
  });

  it("loads a plugin the config names, as when it was fitted", async () => {
    const project = pluginProject();
    await oddity(["fit", "traffic.log", "--output", "model.json", "-q"], { cwd: project });
    const { code, stderr } = await oddity(
      ["score", "traffic.log", "--model", "model.json", "--format", "ndjson", "-q"],
      {
        cwd: project,
      },
    );
    // Only the run's own warnings (rarity on a five-line baseline), no error.
    expect([code, stderr.split("\n").filter((line) => line !== "" && !line.startsWith("warning: "))]).toEqual(
      [0, []],
    );
  });
});

describe("secrets", () => {
  it("never prints the password of a database it cannot reach, in the URL or its query", async () => {
    const runs = await Promise.all(
      [
        ["profile", "mysql://admin:S3cret-1@127.0.0.1:1/logs", "--table", "api_access"],
        [
          "detect",
          "postgres://admin:S3cret-2@127.0.0.1:1/logs?password=S3cret-3",
          "--table",
          "t",
          "--format",
          "json",
        ],
        ["profile", "mysql://admin:S3cret-4@[::1/logs", "--table", "api_access"],
      ].map((args) => oddity(args)),
    );
    expect(runs.map((r) => [r.code, /S3cret/.test(r.stdout + r.stderr), r.stderr.includes("***")])).toEqual([
      [2, false, true],
      [2, false, true],
      [2, false, true],
    ]);
  });
});
