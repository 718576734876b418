import { describe, expect, it } from "vitest";
import { fixture, oddity } from "./helpers.js";

const DIR = fixture("server-layouts");

interface Summary {
  read: number;
  rejected: number;
  layouts: Record<string, number>;
  rejectedBy: Record<string, number>;
}

async function summaryOf(file: string): Promise<Summary> {
  const { stdout } = await oddity(["detect", fixture("server-layouts", file), "--format", "json", "-q"]);
  return (JSON.parse(stdout) as { summary: Summary }).summary;
}

async function firstRecord(file: string): Promise<Record<string, unknown>> {
  const { stdout } = await oddity([
    "show",
    fixture("server-layouts", file),
    "--where",
    "method=GET",
    "--limit",
    "1",
    "--format",
    "json",
    "-q",
  ]);
  return (JSON.parse(stdout) as { records: Array<Record<string, unknown>> }).records[0]!;
}

describe("stock server layouts under auto-detection", () => {
  it("reads nginx's main format with no rejection, counting its lines under their layout", async () => {
    const summary = await summaryOf("nginx-main.log");
    expect([summary.read, summary.rejected, summary.layouts]).toEqual([
      60,
      0,
      { "combined + x_forwarded_for": 60 },
    ]);
  });

  it("shows nginx's x_forwarded_for as an extra field", async () => {
    const { stdout } = await oddity([
      "show",
      fixture("server-layouts", "nginx-main.log"),
      "--where",
      "x_forwarded_for=203.0.113.0, 10.0.0.1",
      "--format",
      "json",
      "-q",
    ]);
    const { records } = JSON.parse(stdout) as { records: Array<{ line: number; ip: string }> };
    expect(records.map((r) => [r.line, r.ip])).toEqual([
      [1, "192.0.2.10"],
      [21, "192.0.2.12"],
      [41, "192.0.2.14"],
    ]);
  });

  it("reads ingress-nginx's default format with no rejection and names its upstream fields", async () => {
    const [summary, record] = await Promise.all([
      summaryOf("ingress-nginx.log"),
      firstRecord("ingress-nginx.log"),
    ]);
    expect([summary.rejected, summary.layouts, record.extra]).toEqual([
      0,
      { "combined (ingress-nginx)": 60 },
      {
        request_length: "300",
        request_time: "0.010",
        proxy_upstream_name: "shop-web-8080",
        upstream_addr: "10.244.1.0:8080",
        upstream_response_length: "500",
        upstream_response_time: "0.010",
        upstream_status: "404",
        req_id: "00000000000000000000000000000000",
      },
    ]);
  });

  it("lets a config's numeric detector read ingress-nginx's request_time and flag the slow request", async () => {
    const { stdout } = await oddity(["detect", "ingress-nginx.log", "--format", "json", "-q"], { cwd: DIR });
    const { anomalies } = JSON.parse(stdout) as {
      anomalies: Array<{ line: number; findings: Array<{ fields: string[]; values: string[] }> }>;
    };
    expect(anomalies.map((a) => [a.line, a.findings.map((f) => [f.fields, f.values])])).toEqual([
      [
        42,
        [
          [
            ["request_time", "upstream_status"],
            ["2.75", "200"],
          ],
        ],
      ],
    ]);
  });

  it("reads Caddy's JSON log: nested request keys, and each header array as its first value", async () => {
    const [summary, record] = await Promise.all([summaryOf("caddy.log"), firstRecord("caddy.log")]);
    expect(summary.rejected).toBe(0);
    expect(record).toMatchObject({
      ip: "192.0.2.10",
      method: "GET",
      path: "/",
      http_version: "HTTP/2.0",
      status: 404,
      size: 500,
      user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
      extra: expect.objectContaining({ "request.host": "shop.example", "resp_headers.Server": "Caddy" }),
    });
  });
});
