import { createRecord, type LogRecord } from "@oddity/core";
import { formatClfTime, formatCombined } from "./combined.js";
import { createRandom, type Random } from "./random.js";

/** Options of the traffic generator. */
export interface GenerateOptions {
  /** PRNG seed: the same seed, line count and start give the same log, byte for byte. */
  seed: number;
  /** How many requests to generate. */
  lines: number;
  /** Time of the first request (epoch ms or Date); default 2019-04-16 19:34:42 UTC, like the lesson's log. */
  start?: number | Date;
  /** `source` of the generated records (default `generated.log`). */
  source?: string;
}

const PYTHON_NEW = "python-requests/2.21.0";
const PYTHON_OLD = "python-requests/2.20.1";
const CHROME =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0.3683.103 Safari/537.36";
const FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:66.0) Gecko/20100101 Firefox/66.0";
const SLACKBOTS = [
  "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
  "Slackbot 1.0 (+https://api.slack.com/robots)",
] as const;

/** The API's last page of sales; the scripts wrap around after it. */
export const SALES_PAGES = 183;

// Response sizes are a function of the resource, as on the lesson's API: a sales page weighs about
// 500 kB, the items pages 3,561 / 3,659 / 1,787 bytes, stores always 1,328.
function salesPageSize(page: number): number {
  if (page === SALES_PAGES) return 271_532;
  let h = Math.imul(page ^ 0x5bd1e995, 0x2c1b3c6d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x297a2d39) >>> 0;
  return 494_000 + (h % 20_000);
}

const FIXED_SIZES = new Map<string, number>([
  ["/", 42],
  ["/documentation", 348],
  ["/favicon.ico", 162],
  ["/api/v1/sales", 493_905],
  ["/api/v1/items", 3_561],
  ["/api/v1/items?page=1", 3_561],
  ["/api/v1/items?page=2", 3_659],
  ["/api/v1/items?page=3", 1_787],
  ["/api/v1/items?page=4", 48],
  ["/api/v1/stores", 1_328],
  ["/api/v1/stores?page=1", 1_328],
  ["/api/v1/stores?page=2", 1_328],
]);

// Mistyped and hand-made URLs real users send (all seen in the lesson's log): the API answers them with
// its 162-byte fallback page. They make the baseline's rare tail realistic, so precision is not free.
const TYPOS = [
  "/api/v1//api/v1/items",
  "/api/v1/items/api/v1/items",
  "/api/v1/itemsitems",
  "/api/v1items",
  "/api/v1/store",
  "/api/v1/items/next_page",
  "/api/v1/",
] as const;

function sizeOf(path: string): number {
  const fixed = FIXED_SIZES.get(path);
  if (fixed !== undefined) return fixed;
  const sales = /^\/api\/v1\/sales\?page=(\d+)$/.exec(path);
  if (sales) return salesPageSize(Number(sales[1]));
  return 162;
}

interface Request {
  ip: string;
  path: string;
  userAgent: string;
  status?: number;
}

interface Client {
  weight: number;
  next(random: Random): Request;
}

/** A scraper that pages through sales, now and then re-reading items and stores. */
function scraper({ ip, userAgent, start }: { ip: string; userAgent: string; start: number }): Client["next"] {
  let page = start;
  let side: string[] = [];
  return (random) => {
    const queued = side.shift();
    if (queued !== undefined) return { ip, userAgent, path: queued };
    const roll = random.next();
    if (roll < 0.06) side = ["/api/v1/items?page=2", "/api/v1/items?page=3"];
    else if (roll < 0.08) side = ["/api/v1/stores?page=1"];
    if (roll < 0.08) return { ip, userAgent, path: roll < 0.06 ? "/api/v1/items" : "/api/v1/stores" };
    const path = `/api/v1/sales?page=${page}`;
    page = page === SALES_PAGES ? 1 : page + 1;
    // nginx logs 499 with 0 bytes when the client gives up on a slow page.
    if (random.next() < 0.0015) return { ip, userAgent, path, status: 499 };
    if (random.next() < 0.002) return { ip, userAgent, path: random.pick(TYPOS) };
    return { ip, userAgent, path };
  };
}

const BROWSER_PATHS = [
  { value: "/", weight: 3 },
  { value: "/documentation", weight: 3 },
  { value: "/favicon.ico", weight: 4 },
  { value: "/api/v1/items", weight: 3 },
  { value: "/api/v1/items?page=2", weight: 2 },
  { value: "/api/v1/items?page=3", weight: 1 },
  { value: "/api/v1/items?page=4", weight: 1 },
  { value: "/api/v1/stores", weight: 2 },
  { value: "/api/v1/sales", weight: 1 },
] as const;

function browser({ ip }: { ip: string }): Client["next"] {
  return (random) => ({
    ip,
    userAgent: random.next() < 0.8 ? CHROME : FIREFOX,
    path: random.weighted(BROWSER_PATHS),
  });
}

/** A notebook user with python-requests who mostly reads items and stores and sometimes opens the docs. */
function explorer({ ip }: { ip: string }): Client["next"] {
  const paths = [
    { value: "/api/v1/items", weight: 4 },
    { value: "/api/v1/items?page=2", weight: 3 },
    { value: "/api/v1/items?page=3", weight: 3 },
    { value: "/api/v1/stores", weight: 2 },
    { value: "/api/v1/sales", weight: 1 },
  ];
  return (random) => ({ ip, userAgent: PYTHON_NEW, path: random.weighted(paths) });
}

// Slack's link expander arrives from a different cloud address almost every time.
const SLACK_IPS = Array.from({ length: 12 }, (_, i) => `198.51.100.${100 + i}`);
const SLACK_PATHS = ["/", "/api/v1/items", "/api/v1/sales", "/documentation"] as const;

function slackbot(random: Random): Request {
  return { ip: random.pick(SLACK_IPS), userAgent: random.pick(SLACKBOTS), path: random.pick(SLACK_PATHS) };
}

/**
 * The clients and their shares, as measured on the lesson's API log (codeup SOURCE.md): python-requests
 * 2.21.0 86% and 2.20.1 14% of requests, browsers 0.34%, Slackbot 0.09%.
 */
function clients(random: Random): Client[] {
  return [
    {
      weight: 0.78,
      next: scraper({ ip: "203.0.113.10", userAgent: PYTHON_NEW, start: random.between(1, SALES_PAGES) }),
    },
    {
      weight: 0.137,
      next: scraper({ ip: "203.0.113.77", userAgent: PYTHON_OLD, start: random.between(1, SALES_PAGES) }),
    },
    { weight: 0.078, next: explorer({ ip: "192.0.2.44" }) },
    { weight: 0.0036, next: browser({ ip: "192.0.2.81" }) },
    { weight: 0.001, next: slackbot },
  ];
}

const DEFAULT_START = Date.UTC(2019, 3, 16, 19, 34, 42);

/**
 * Generates a realistic API access log as records: a few clients, dominant python-requests traffic, a
 * paginated API whose response sizes depend on the endpoint, the odd typo, aborted request and Slackbot.
 * All addresses are from documentation ranges (RFC 5737). Deterministic for a seed.
 */
export function generateRecords({
  seed,
  lines,
  start = DEFAULT_START,
  source = "generated.log",
}: GenerateOptions): LogRecord[] {
  const random = createRandom(seed);
  const pool = clients(random);
  const choices = pool.map((client) => ({ value: client, weight: client.weight }));
  let time = typeof start === "number" ? start : start.getTime();
  time -= time % 1000;
  const records: LogRecord[] = [];
  for (let i = 0; i < lines; i++) {
    const request = random.weighted(choices).next(random);
    const status = request.status ?? 200;
    const record = createRecord({
      source,
      line: i + 1,
      ip: request.ip,
      ident: "-",
      user: "-",
      time,
      time_text: formatClfTime(time),
      method: "GET",
      path: request.path,
      http_version: "HTTP/1.1",
      status,
      size: status === 499 ? 0 : sizeOf(request.path),
      referer: null,
      user_agent: request.userAgent,
    });
    record.raw = formatCombined(record);
    records.push(record);
    time += 1000 * random.weighted(GAPS);
  }
  return records;
}

const GAPS = [
  { value: 0, weight: 3 },
  { value: 1, weight: 3 },
  { value: 2, weight: 3 },
  { value: 5, weight: 1 },
];

/** {@link generateRecords} as combined-format lines, ready to write to a file and read back. */
export function generateTraffic(options: GenerateOptions): string[] {
  return generateRecords(options).map((record) => record.raw);
}
