import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { spoolStdin } from "./stdin.js";

describe("spoolStdin", () => {
  it("copies every byte to a file that cleanup removes", async () => {
    const bytes = Buffer.from([0x1f, 0x8b, 0x00, 0xff, 0x0a, 0x0d]);
    const spooled = await spoolStdin({ stdin: Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]) });
    expect(readFileSync(spooled.path)).toEqual(bytes);
    await spooled.cleanup();
    expect(existsSync(spooled.path)).toBe(false);
  });

  it("removes its temporary folder when stdin fails", async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from("a");
      await Promise.resolve();
      throw new Error("EIO");
    }
    const spools = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith("oddity-stdin-"));
    const before = spools();
    await expect(spoolStdin({ stdin: failing() })).rejects.toThrow("EIO");
    expect(spools()).toEqual(before);
  });
});
