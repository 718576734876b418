import { expectTypeOf, test } from "vitest";
import {
  createLineSplitter,
  createParser,
  expandInputs,
  parseFormatOption,
  readInputs,
  sniffFormat,
  spoolStdin,
  type FormatSpec,
  type LineParser,
  type LineSplitter,
  type LogRecord,
  type RecordBatch,
  type RecordStream,
} from "../index.js";

test("readInputs takes paths, globs, - and named streams of Buffers or text", () => {
  expectTypeOf(readInputs).toBeCallableWith({
    inputs: ["access.log", "-", { name: "mysql:logs.api_access", stream: process.stdin }],
    format: { name: "csv", column: "entry" },
    strict: true,
  });
  expectTypeOf(readInputs).returns.toEqualTypeOf<RecordStream>();
  expectTypeOf<RecordStream>().toExtend<AsyncIterable<RecordBatch>>();
  expectTypeOf<RecordStream["warnings"]>().toEqualTypeOf<string[]>();
  expectTypeOf<RecordStream["format"]>().toEqualTypeOf<string | null>();
});

test("parsers return a record or a reason", () => {
  expectTypeOf(createParser).returns.toEqualTypeOf<LineParser>();
  expectTypeOf<ReturnType<LineParser["parse"]>>().toEqualTypeOf<LogRecord | string>();
  expectTypeOf(parseFormatOption).returns.toEqualTypeOf<FormatSpec>();
  expectTypeOf(sniffFormat).parameter(0).toEqualTypeOf<{ lines: readonly string[] }>();
  expectTypeOf(sniffFormat).returns.toExtend<{ spec: FormatSpec; description: string }>();
});

test("input helpers", () => {
  expectTypeOf(expandInputs).returns.toEqualTypeOf<Promise<string[]>>();
  expectTypeOf(spoolStdin).returns.toEqualTypeOf<Promise<{ path: string; cleanup(): Promise<void> }>>();
  expectTypeOf(createLineSplitter).returns.toEqualTypeOf<LineSplitter>();
});
