import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPluginLoader } from "./load.js";

const DETECTOR = `export default {
  meta: { name: "tiny", description: "test", apiVersion: 1, options: { "~standard": { version: 1, vendor: "test", validate: (v) => ({ value: v }) } } },
  create: () => ({ init: () => 0, observe() {}, merge: (a, b) => a + b, score: () => [], toJSON: (s) => s, fromJSON: (s) => s }),
};
`;

const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "oddity-plugin-"));
  created.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

const where = "oddity.config.yaml: detectors[1].use";

describe("createPluginLoader", () => {
  it("loads a bundled detector by its short name", async () => {
    const definition = await createPluginLoader()("rarity", { where, dir: tmpdir() });
    expect(definition.meta.name).toBe("rarity");
  });

  it("loads a relative module from the config's folder", async () => {
    const dir = project({ "detectors/tiny.js": DETECTOR, "package.json": '{ "type": "module" }' });
    const definition = await createPluginLoader()("./detectors/tiny.js", { where, dir });
    expect(definition.meta.name).toBe("tiny");
  });

  it("loads an installed package by its bare name from the config's folder", async () => {
    const dir = project({
      "node_modules/oddity-tiny/package.json":
        '{ "name": "oddity-tiny", "type": "module", "exports": "./index.js" }',
      "node_modules/oddity-tiny/index.js": DETECTOR,
    });
    const definition = await createPluginLoader()("oddity-tiny", { where, dir });
    expect(definition.meta.name).toBe("tiny");
  });

  it("names the key, the resolved path and the fix for a missing file", async () => {
    const dir = project({});
    await expect(createPluginLoader()("./my-detector.js", { where, dir })).rejects.toThrow(
      `${where}: cannot load detector "./my-detector.js": ${path.join(dir, "my-detector.js")} does not exist. Relative paths resolve from ${dir}; check the path and the file name`,
    );
  });

  it("says how to install a scoped package that is not there", async () => {
    const dir = project({});
    await expect(createPluginLoader()("@acme/oddity-nowhere", { where, dir })).rejects.toThrow(
      `${where}: cannot load detector "@acme/oddity-nowhere": the package is not installed in ${dir} or a folder above it. Install it there (npm install @acme/oddity-nowhere), or write a relative path such as "./@acme/oddity-nowhere.js" for a local file`,
    );
  });

  it("suggests the nearest bundled detector for an unknown bare name, and never npm", async () => {
    const dir = project({});
    const error = await createPluginLoader()("conditonal", { where, dir }).catch((e: unknown) => e);
    expect([(error as Error).message, (error as Error).message.includes("npm")]).toEqual([
      `${where}: unknown detector "conditonal"; did you mean "conditional"? The bundled detectors are rarity, conditional, size, params, client, targets; a plugin is a relative path ("./conditonal.js") or a scoped package name ("@scope/conditonal")`,
      false,
    ]);
  });

  it("lists what a module exports when none of it is a detector", async () => {
    const dir = project({ "x.mjs": "export const helper = 1; export default { name: 'not a detector' };\n" });
    await expect(createPluginLoader()("./x.mjs", { where, dir })).rejects.toThrow(
      `${where}: "./x.mjs" exports no detector: expected a default export made with defineDetector() from @oddity/core (found exports: default, helper)`,
    );
  });

  it("reports a module that throws while loading without crashing", async () => {
    const dir = project({ "boom.mjs": 'throw new Error("boom at import");\n' });
    await expect(createPluginLoader()("./boom.mjs", { where, dir })).rejects.toThrow(
      `${where}: cannot load detector "./boom.mjs": importing it failed: boom at import`,
    );
  });

  it("takes an export named detector when there is no default", async () => {
    const dir = project({ "named.mjs": DETECTOR.replace("export default", "export const detector =") });
    const definition = await createPluginLoader()("./named.mjs", { where, dir });
    expect(definition.meta.name).toBe("tiny");
  });
});
