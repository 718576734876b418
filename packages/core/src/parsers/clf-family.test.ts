import { describe, expect, it } from "vitest";
import { createNcsaParser } from "./clf.js";
import { BAD_TIME, CLIENT_LIST, clientShape, parseFamilyLine, SPACED_USER } from "./clf-family.js";

const TIME = "[07/Dec/2026:04:50:00 +0000]";
const COMBINED = `203.0.113.7 - - ${TIME} "GET /api/items?id=3 HTTP/1.1" 200 512 "https://example.com/" "curl/8.5.0"`;

function parsed(line: string): { layout: string; extra: Record<string, string> | null; ip: string | null } {
  const result = parseFamilyLine(line, "t", 1);
  if (typeof result === "string") throw new Error(result);
  const { record } = result;
  return { layout: result.layout, extra: record.extra === null ? null : { ...record.extra }, ip: record.ip };
}

describe("parseFamilyLine", () => {
  it("names the trailing quoted field of nginx's stock main format x_forwarded_for", () => {
    expect(parsed(`${COMBINED} "198.51.100.1, 10.0.0.1"`)).toEqual({
      layout: "combined + x_forwarded_for",
      extra: { x_forwarded_for: "198.51.100.1, 10.0.0.1" },
      ip: "203.0.113.7",
    });
  });

  it("leaves out an x_forwarded_for logged as -", () => {
    expect(parsed(`${COMBINED} "-"`)).toEqual({
      layout: "combined + x_forwarded_for",
      extra: null,
      ip: "203.0.113.7",
    });
  });

  it("names the fields of ingress-nginx's default log-format-upstream", () => {
    const line = `${COMBINED} 731 0.004 [default-web-80] [] 10.244.1.9:8080, 10.244.1.10:8080 512, 512 0.003, 0.001 502, 200 5f1c2e0a8b9d4c7e6f5a4b3c2d1e0f9a`;
    expect(parsed(line)).toEqual({
      layout: "combined (ingress-nginx)",
      extra: {
        request_length: "731",
        request_time: "0.004",
        proxy_upstream_name: "default-web-80",
        upstream_addr: "10.244.1.9:8080, 10.244.1.10:8080",
        upstream_response_length: "512, 512",
        upstream_response_time: "0.003, 0.001",
        upstream_status: "502, 200",
        req_id: "5f1c2e0a8b9d4c7e6f5a4b3c2d1e0f9a",
      },
      ip: "203.0.113.7",
    });
  });

  it("names key=value fields by their key, quoted values included", () => {
    expect(parsed(`${COMBINED} rt=0.120 uct="0.000" uht="0.1 0.2"`).extra).toEqual({
      rt: "0.120",
      uct: "0.000",
      uht: "0.1 0.2",
    });
  });

  it("names Apache's combinedio fields bytes_received and bytes_sent", () => {
    expect(parsed(`${COMBINED} 420 1024`).extra).toEqual({ bytes_received: "420", bytes_sent: "1024" });
  });

  it("numbers trailing fields it cannot name", () => {
    expect(parsed(`${COMBINED} "a" b [c]`)).toMatchObject({
      layout: "combined + 3 fields",
      extra: { field_1: "a", field_2: "b", field_3: "c" },
    });
  });

  it("reads a virtual host in front of a common line instead of taking it for the client address", () => {
    const line = `log.example.com 10.0.0.11 - - ${TIME} "GET / HTTP/1.0" 200 10`;
    expect(parsed(line)).toEqual({ layout: "vcommon", extra: { vhost: "log.example.com" }, ip: "10.0.0.11" });
  });

  it("splits a vhost:port prefix into vhost and port", () => {
    expect(parsed(`www.example.org:443 ${COMBINED}`)).toMatchObject({
      layout: "vcombined",
      extra: { vhost: "www.example.org", port: "443" },
    });
  });

  it("reads tab-separated fields and says so in the layout", () => {
    const line = COMBINED.replace(" - - ", "\t-\t-\t").replace('" 200 512 "', '"\t200\t512\t"');
    expect(parsed(line)).toMatchObject({ layout: "combined, tab-separated", ip: "203.0.113.7" });
  });

  it("reads a line ending in a bare carriage return", () => {
    expect(parsed(`${COMBINED}\r`).layout).toBe("combined");
  });

  it("reads an unquoted request line", () => {
    const result = parseFamilyLine(`1.2.3.4 - - ${TIME} GET /a HTTP/1.1 200 5`, "t", 1);
    expect(typeof result === "string" ? result : result.record).toMatchObject({
      method: "GET",
      path: "/a",
      http_version: "HTTP/1.1",
      status: 200,
      size: 5,
    });
  });

  it("notes a host name as the client address in the layout but keeps the line", () => {
    expect(parsed(`client.example.net - - ${TIME} "GET / HTTP/1.1" 200 5`)).toEqual({
      layout: "common, host name as client",
      extra: null,
      ip: "client.example.net",
    });
  });

  it("rejects an X-Forwarded-For list where the client address goes", () => {
    expect(parseFamilyLine(`10.0.0.2, 10.0.0.1, 127.0.0.1 - - ${TIME} "GET / HTTP/1.1" 200 5`, "t", 1)).toBe(
      CLIENT_LIST,
    );
  });

  it("rejects a user with a space rather than shifting the client address", () => {
    expect(parseFamilyLine(`1.2.3.4 - jo ann ${TIME} "GET / HTTP/1.1" 200 5`, "t", 1)).toBe(SPACED_USER);
  });

  it("reads the timestamp of Python's http.server, with a space for the colon and no zone, as UTC", () => {
    const result = parseFamilyLine(`1.2.3.4 - - [29/Aug/2023 22:02:58] "GET / HTTP/1.1" 200 -`, "t", 1);
    expect(typeof result === "string" ? result : result.record.time).toBe(Date.UTC(2023, 7, 29, 22, 2, 58));
  });

  it("reads a timestamp logged as - as absent", () => {
    const result = parseFamilyLine(`- - - [-] "-" - -`, "t", 1);
    expect(typeof result === "string" ? result : result.record).toMatchObject({ time: null, status: null });
  });

  it("rejects a timestamp in another layout", () => {
    expect(parseFamilyLine(`1.2.3.4 - - [2023-08-29 22:02:58] "GET / HTTP/1.1" 200 5`, "t", 1)).toBe(
      BAD_TIME,
    );
  });
});

describe("clientShape", () => {
  it.each([
    ["192.0.2.1", "address"],
    ["2001:db8::1", "address"],
    ["[fe80::1%eth0]", "address"],
    ["-", "address"],
    ["host.example.com", "host"],
    ["10.0.0.2,", "list"],
  ] as const)("reads %s as %s", (ip, shape) => {
    expect(clientShape(ip)).toBe(shape);
  });
});

describe("createNcsaParser", () => {
  it("reads a file mixing common, combined and main lines, counting the records of each layout", () => {
    const parser = createNcsaParser("combined");
    const lines = [COMBINED, COMBINED.slice(0, COMBINED.indexOf(' "https')), `${COMBINED} "-"`, COMBINED];
    const rejected = lines
      .map((line, i) => parser.parse(line, "t", i + 1))
      .filter((r) => typeof r === "string");
    expect([rejected, parser.takeLayouts!(), parser.takeLayouts!()]).toEqual([
      [],
      { combined: 2, common: 1, "combined + x_forwarded_for": 1 },
      null,
    ]);
  });

  it("gives the reason of the leading layout when no layout reads the line", () => {
    expect(createNcsaParser("combined").parse("hello", "t", 1)).toBe(
      "expected the client address and a space at column 1",
    );
  });
});
