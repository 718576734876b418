import { gzipSync } from "node:zlib";
import path from "node:path";
import { Readable } from "node:stream";
import { InputError, type LogRecord } from "@oddity/core";
import { fixture } from "@oddity/fixtures";
import { describe, expect, it } from "vitest";
import { CSIC_FILES, convertCsic, csicLabel } from "./csic.js";

// The first 2,000 requests of each CSIC 2010 file (the fixture's SOURCE.md says how they were cut).
const dataDir = path.dirname(fixture("csic2010/anomalousTrafficTest.txt.gz"));
const KONQUEROR = "Mozilla/5.0 (compatible; Konqueror/3.5; Linux) KHTML/3.5.8 (like Gecko)";

async function collect(records: AsyncIterable<LogRecord>): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

function stream(chunks: Array<string | Buffer>): AsyncIterable<Buffer | string> {
  return Readable.from(chunks, { objectMode: true }) as AsyncIterable<Buffer | string>;
}

const fields = (r: LogRecord) => ({
  line: r.line,
  method: r.method,
  path: r.path,
  http_version: r.http_version,
  user_agent: r.user_agent,
  ip: r.ip,
  status: r.status,
  size: r.size,
  time: r.time,
  extra: { ...r.extra },
});

describe("convertCsic", () => {
  it("turns the first anomalous GET and POST into records, body merged and Latin-1 escapes kept", async () => {
    const input = path.join(dataDir, CSIC_FILES.anomalousTest);
    const [get, post] = await collect(convertCsic({ input, limit: 2 }));
    const query =
      "id=2&nombre=Jam%F3n+Ib%E9rico&precio=85&cantidad=%27%3B+DROP+TABLE+usuarios%3B+SELECT+*+FROM+datos+WHERE+nombre+LIKE+%27%25&B1=A%F1adir+al+carrito";
    expect(fields(get!)).toEqual({
      line: 1,
      method: "GET",
      path: `/tienda1/publico/anadir.jsp?${query}`,
      http_version: "HTTP/1.1",
      user_agent: KONQUEROR,
      ip: null,
      status: null,
      size: null,
      time: null,
      extra: { vhost: "localhost:8080", session: "B92A8B48B9008CD29F622A994E0F650D" },
    });
    expect(fields(post!)).toEqual({
      line: 14,
      method: "POST",
      path: `/tienda1/publico/anadir.jsp?${query}`,
      http_version: "HTTP/1.1",
      user_agent: KONQUEROR,
      ip: null,
      status: null,
      size: null,
      time: null,
      extra: { vhost: "localhost:8080", session: "AE29AEEBDE479D5E1A18B4108C8E3CE0", content_length: "146" },
    });
    expect(post!.source).toBe(input);
    expect(post!.raw).toBe(
      `- - - [-] "POST /tienda1/publico/anadir.jsp?${query} HTTP/1.1" - - "-" "${KONQUEROR}"`,
    );
  });

  it("reads every request of the three 2,000-request excerpts, as their request lines and Host headers count", async () => {
    const counts: Record<string, Record<string, number>> = {};
    for (const file of Object.values(CSIC_FILES)) {
      const byKey: Record<string, number> = {};
      for await (const r of convertCsic({ input: path.join(dataDir, file) })) {
        const key = `${r.method!} ${r.extra!.vhost!}`;
        byKey[key] = (byKey[key] ?? 0) + 1;
      }
      counts[file] = byKey;
    }
    // Counted with grep and awk on the decompressed files; the whole files' official counts (36,000,
    // 36,000 and 25,065) are in the same SOURCE.md.
    expect(counts).toEqual({
      [CSIC_FILES.training]: { "GET localhost:8080": 1_553, "POST localhost:8080": 447 },
      [CSIC_FILES.normalTest]: { "GET localhost:8080": 1_553, "POST localhost:8080": 447 },
      [CSIC_FILES.anomalousTest]: {
        "GET localhost:8080": 1_206,
        "POST localhost:8080": 764,
        "PUT localhost:9090": 30,
      },
    });
  });

  it("leaves the body out of the path when asked", async () => {
    const input = path.join(dataDir, CSIC_FILES.anomalousTest);
    const [, post] = await collect(convertCsic({ input, limit: 2, mergeBody: false }));
    expect(post!.path).toBe("/tienda1/publico/anadir.jsp");
  });

  it("splits CRLF and bare-LF lines alike, even when a CRLF straddles two chunks", async () => {
    const text =
      "POST http://localhost:8080/a.jsp HTTP/1.1\r\nUser-Agent: UA\r\nContent-Length: 3\r\n\nb=1\n\n" +
      "GET http://localhost:8080/ HTTP/1.1\r\nHost: h\r\n\r\n\r\n";
    const cut = text.indexOf("\r\nUser-Agent") + 1;
    const records = await collect(
      convertCsic({
        input: { name: "mixed.txt", stream: stream([text.slice(0, cut), Buffer.from(text.slice(cut))]) },
      }),
    );
    expect(records.map((r) => [r.line, r.method, r.path, r.user_agent, r.extra?.vhost ?? null])).toEqual([
      [1, "POST", "/a.jsp?b=1", "UA", null],
      [7, "GET", "/", null, "h"],
    ]);
  });

  it("reads gzip from a stream by its magic bytes", async () => {
    const gz = gzipSync("GET http://localhost:8080/x?y=1 HTTP/1.1\r\nUser-Agent: UA\r\n\r\n\r\n");
    const records = await collect(convertCsic({ input: { name: "s.gz", stream: stream([gz]) } }));
    expect(records.map((r) => r.path)).toEqual(["/x?y=1"]);
  });

  it("fails with an InputError naming the file when the gzip data is cut short", async () => {
    const gz = gzipSync("GET http://localhost:8080/x HTTP/1.1\r\n\r\n".repeat(50));
    const run = collect(
      convertCsic({ input: { name: "cut.gz", stream: stream([gz.subarray(0, gz.length - 12)]) } }),
    );
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(/^cut\.gz: cannot read CSIC requests/);
  });

  it("fails with an InputError naming the line when a block does not start with a request line", async () => {
    const text = "GET http://h/ HTTP/1.1\n\nbody\nnot a request\n";
    await expect(
      collect(convertCsic({ input: { name: "odd.txt", stream: stream([text]) } })),
    ).rejects.toThrow('odd.txt:4: expected a request line "METHOD URL HTTP/x.y", found "not a request"');
  });
});

describe("csicLabel", () => {
  it("labels requests by the file they come from", () => {
    expect(Object.values(CSIC_FILES).map((f) => csicLabel(`/data/${f}`))).toEqual([
      "normal",
      "normal",
      "anomalous",
    ]);
  });
});
