import { ConfigError, InputError } from "@oddity/core";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { EXIT, InterruptedError, UsageError, handleError } from "./errors.js";

function capture(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe("handleError", () => {
  it("prints a config error without a stack and exits 2", async () => {
    const err = capture();
    const code = await handleError(
      new ConfigError('oddity.config.yaml: detectors[0].optoins: unknown key; did you mean "options"?'),
      {
        stderr: err.stream,
        interrupted: false,
      },
    );
    expect([code, err.text()]).toEqual([
      EXIT.user,
      'oddity: error: oddity.config.yaml: detectors[0].optoins: unknown key; did you mean "options"?\n',
    ]);
  });

  it("escapes log content quoted in an input error", async () => {
    const err = capture();
    await handleError(new InputError("a.log:3: bad line \u001b[2J"), {
      stderr: err.stream,
      interrupted: false,
    });
    expect(err.text()).toBe("oddity: error: a.log:3: bad line \\x1B[2J\n");
  });

  it("points to --help for usage errors", async () => {
    const err = capture();
    const code = await handleError(new UsageError("Unknown argument: tpo"), {
      stderr: err.stream,
      interrupted: false,
    });
    expect([code, err.text()]).toEqual([
      EXIT.user,
      'oddity: Unknown argument: tpo\nRun "oddity --help" for usage.\n',
    ]);
  });

  it("exits 130 when interrupted", async () => {
    const err = capture();
    expect(await handleError(new InterruptedError(), { stderr: err.stream, interrupted: true })).toBe(
      EXIT.interrupted,
    );
  });

  it("prints the stack of an unexpected error, calls it a bug and exits 70", async () => {
    const err = capture();
    const code = await handleError(new TypeError("x is undefined"), {
      stderr: err.stream,
      interrupted: false,
    });
    expect([
      code,
      err.text().split("\n")[0],
      err.text().includes("TypeError: x is undefined\n    at "),
    ]).toEqual([
      EXIT.bug,
      "oddity: unexpected error (this is a bug in oddity; please report it with the command you ran):",
      true,
    ]);
  });
});
