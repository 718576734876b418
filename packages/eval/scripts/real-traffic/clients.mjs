// The ordinary clients of the real-traffic scenario: about forty of them, each from its own loopback address
// (127.0.0.10 and up), each with its own habits. Every client has a request budget and the whole run a
// deadline, so every loop is bounded in count and in time.
// Usage: node clients.mjs --port PORT --seconds S --seed N --plan FILE
//   --plan FILE: writes the clients (address, kind, user agent, budget) as JSON before the run starts.
import { request } from "node:http";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    seconds: { type: "string", default: "180" },
    seed: { type: "string", default: "1" },
    plan: { type: "string" },
    scale: { type: "string", default: "1" },
  },
});
const PORT = Number(values.port);
const SECONDS = Number(values.seconds);
const SCALE = Number(values.scale);
if (!Number.isInteger(PORT) || !(SECONDS > 0) || !(SCALE > 0)) {
  console.error("usage: node clients.mjs --port PORT --seconds S [--seed N] [--plan FILE] [--scale X]");
  process.exit(2);
}

function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRODUCTS = 240;
const PAGES = 12; // 240 products, 20 a page
const CATEGORIES = ["kitchen", "garden", "books", "toys", "audio", "office", "sports", "lighting"];
const SEARCHES = [
  "lamp",
  "kettle",
  "oak",
  "wireless",
  "mug",
  "chair",
  "solar",
  "desk",
  "set",
  "books",
  "candle",
];
const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const BROWSERS = [
  CHROME,
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
];
const REFERRERS = ["-", "-", "https://www.google.com/", "https://duckduckgo.com/", "https://www.bing.com/"];

/** The population: kind, how many clients of it, user agents, and each one's request budget. */
const KINDS = [
  {
    kind: "scraper",
    count: 6,
    budget: 3000,
    agents: ["python-requests/2.31.0", "python-requests/2.28.2", "python-requests/2.32.3"],
  },
  { kind: "browser", count: 15, budget: 700, agents: BROWSERS },
  { kind: "mistyper", count: 3, budget: 500, agents: BROWSERS },
  {
    kind: "mobile-app",
    count: 6,
    budget: 800,
    agents: [
      "ShopApp/4.2.1 (Android 14; Pixel 7) okhttp/4.12.0",
      "ShopApp/4.2.0 (iPhone; iOS 17.4; Scale/3.00)",
      "ShopApp/4.1.9 (Android 13; SM-A536B) okhttp/4.11.0",
    ],
  },
  {
    kind: "uptime-monitor",
    count: 1,
    budget: 180,
    agents: ["Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"],
  },
  {
    kind: "pingdom",
    count: 1,
    budget: 90,
    agents: ["Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)"],
  },
  {
    kind: "crawler",
    count: 3,
    budget: 600,
    agents: [
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/124.0.6367.155 Safari/537.36",
      "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    ],
  },
  {
    kind: "slackbot",
    count: 1,
    budget: 40,
    agents: ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"],
  },
  { kind: "developer-curl", count: 1, budget: 40, agents: ["curl/8.5.0"] },
  { kind: "partner-feed", count: 2, budget: 600, agents: ["Go-http-client/1.1"] },
];

const rand = random(Number(values.seed));
const pick = (list) => list[Math.floor(rand() * list.length)];
const clients = [];
for (const spec of KINDS) {
  for (let i = 0; i < spec.count; i += 1) {
    clients.push({
      address: `127.0.0.${10 + clients.length}`,
      kind: spec.kind,
      userAgent: spec.agents[i % spec.agents.length],
      budget: Math.max(1, Math.round(spec.budget * SCALE)),
    });
  }
}
if (values.plan) writeFileSync(values.plan, `${JSON.stringify(clients, null, 2)}\n`);

const started = Date.now();
const deadline = started + SECONDS * 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
let errors = 0;

/** One HTTP request from the client's own address; resolves with status and headers, never rejects. */
function send(client, path, { method = "GET", headers = {}, body } = {}) {
  client.sent += 1;
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: PORT,
        localAddress: client.address,
        method,
        path,
        agent: client.agent,
        headers: {
          "user-agent": client.userAgent,
          accept: "*/*",
          ...(body === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(body) }),
          ...headers,
        },
        timeout: 10_000,
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
        response.on("error", () => resolve({ status: 0, headers: {} }));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => {
      errors += 1;
      resolve({ status: 0, headers: {} });
    });
    req.end(body);
  });
}

const withReferer = (referer) => (referer === "-" ? {} : { referer });
const page = (path) => `http://shop.local${path}`;

async function scraper(client) {
  const perPage = pick([20, 20, 50]);
  const pages = Math.ceil(PRODUCTS / perPage);
  for (let p = 1; p <= pages; p += 1) {
    const suffix = perPage === 20 ? "" : `&per_page=${perPage}`;
    await send(client, `/api/v1/products?page=${p}${suffix}`);
    await pace(client, 1);
  }
  const details = 5 + Math.floor(rand() * 20);
  for (let i = 0; i < details; i += 1) {
    await send(client, `/api/v1/products/${1 + Math.floor(rand() * PRODUCTS)}`);
    await pace(client, 1);
  }
  if (rand() < 0.3) {
    const category = pick(CATEGORIES);
    await send(client, "/api/v1/categories");
    for (let p = 1; p <= 2; p += 1) await send(client, `/api/v1/categories/${category}/products?page=${p}`);
  }
}

/** Assets a page needs; cached ones are revalidated (304) or not asked at all, as a browser does. */
async function assets(client, referer, images) {
  const list = ["/static/app.css", "/static/vendor.js", "/static/app.js", "/static/img/logo.png", ...images];
  for (const asset of list) {
    const cached = client.cache.get(asset);
    if (cached && rand() < 0.85) continue;
    const headers = { ...withReferer(referer) };
    if (cached) {
      if (cached.etag) headers["if-none-match"] = cached.etag;
      if (cached.lastModified) headers["if-modified-since"] = cached.lastModified;
    }
    const { status, headers: got } = await send(client, asset, { headers });
    if (status === 200) client.cache.set(asset, { etag: got.etag, lastModified: got["last-modified"] });
  }
  if (!client.cache.has("/favicon.ico")) {
    await send(client, "/favicon.ico", { headers: withReferer(referer) });
    client.cache.set("/favicon.ico", {});
  }
}

const image = (id) => `/static/img/p-${(id % 60) + 1}.jpg`;

async function browser(client) {
  let referer = pick(REFERRERS);
  const landing = pick([
    "/",
    "/",
    `/products/${1 + Math.floor(rand() * PRODUCTS)}`,
    `/search?q=${pick(SEARCHES)}`,
  ]);
  const views = 2 + Math.floor(rand() * 6);
  let path = landing;
  for (let v = 0; v < views; v += 1) {
    if (client.kind === "mistyper" && rand() < 0.15) {
      const typo = pick([
        `/prodcuts/${1 + Math.floor(rand() * PRODUCTS)}`,
        "/catgories",
        "/abuot",
        "/serach?q=lamp",
        "/cart/",
      ]);
      await send(client, typo, { headers: withReferer(referer) });
      await pace(client, 1);
    }
    await send(client, path, { headers: withReferer(referer) });
    const id = Number(/^\/products\/(\d+)/.exec(path)?.[1] ?? 0);
    const images =
      id > 0 ? [image(id)] : path === "/" ? Array.from({ length: 12 }, (_, i) => image(i + 1)) : [];
    await assets(client, page(path), images);
    if (path === "/" && rand() < 0.1) {
      // the promo video on the home page: a range request answered 206
      await send(client, "/static/media/promo.mp4", {
        headers: { ...withReferer(page(path)), range: "bytes=0-" },
      });
    }
    if (path === "/" || path.startsWith("/search")) {
      await send(client, `/api/v1/products?page=${1 + Math.floor(rand() * 3)}`, {
        headers: withReferer(page(path)),
      });
    }
    if (path.startsWith("/products/") && rand() < 0.3) {
      await send(client, `/api/v1/products/${id}`, { headers: withReferer(page(path)) });
    }
    if (rand() < 0.05) {
      const { status, headers } = await loginJson(client, page("/login"));
      if (status === 200 && headers)
        await send(client, "/api/v1/cart", {
          headers: { authorization: `Bearer tok-alice`, ...withReferer(page("/cart")) },
        });
    }
    await pace(client, 6);
    referer = page(path);
    path = pick([
      `/products/${1 + Math.floor(rand() * PRODUCTS)}`,
      `/products/${1 + Math.floor(rand() * PRODUCTS)}`,
      `/search?q=${pick(SEARCHES)}`,
      "/categories",
      "/",
      pick(["/about", "/contact", "/cart", "/login"]),
    ]);
  }
}

async function loginJson(client, referer) {
  const [user, password] = pick([
    ["alice", "wonderland"],
    ["bob", "builder42"],
    ["carol", "s3cret!"],
  ]);
  // people mistype passwords now and then
  const typed = rand() < 0.1 ? `${password}x` : password;
  const body = JSON.stringify({ username: user, password: typed });
  const answer = await send(client, "/api/v1/login", { method: "POST", body, headers: withReferer(referer) });
  if (answer.status === 401) {
    return send(client, "/api/v1/login", {
      method: "POST",
      body: JSON.stringify({ username: user, password }),
      headers: withReferer(referer),
    });
  }
  return answer;
}

async function mobileApp(client) {
  await loginJson(client, "-");
  const auth = { authorization: "Bearer tok-bob" };
  await send(client, "/api/v1/categories", { headers: auth });
  const steps = 4 + Math.floor(rand() * 10);
  for (let s = 0; s < steps; s += 1) {
    const r = rand();
    if (r < 0.35)
      await send(
        client,
        `/api/v1/categories/${pick(CATEGORIES)}/products?page=${1 + Math.floor(rand() * 2)}`,
        { headers: auth },
      );
    else if (r < 0.7)
      await send(client, `/api/v1/products/${1 + Math.floor(rand() * PRODUCTS)}`, { headers: auth });
    else if (r < 0.8) await send(client, `/api/v1/search?q=${pick(SEARCHES)}`, { headers: auth });
    else if (r < 0.9) await send(client, "/api/v1/cart", { headers: auth });
    else
      await send(client, "/api/v1/cart/items", {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ id: 1 + Math.floor(rand() * PRODUCTS), qty: 1 }),
      });
    await pace(client, 1);
  }
}

async function monitor(client) {
  await send(client, client.kind === "pingdom" ? "/" : "/health");
  await pace(client, 1, false);
}

async function crawler(client) {
  client.step = (client.step ?? 0) + 1;
  if (client.step % 200 === 1) {
    await send(client, "/robots.txt");
    await send(client, "/sitemap.xml");
  }
  const r = rand();
  if (r < 0.75) await send(client, `/products/${1 + Math.floor(rand() * PRODUCTS)}`);
  else if (r < 0.85) await send(client, `/search?q=${pick(SEARCHES)}`);
  else if (r < 0.9) await send(client, pick(["/", "/categories", "/about", "/contact"]));
  else if (r < 0.95) await send(client, image(1 + Math.floor(rand() * PRODUCTS)));
  // pages that used to exist: crawlers keep asking for them
  else
    await send(
      client,
      pick(["/products/999", "/old-catalogue/lamps.html", "/products/0", "/catalogue?page=3"]),
    );
  await pace(client, 1);
}

async function slackbot(client) {
  const id = 1 + Math.floor(rand() * PRODUCTS);
  await send(client, `/products/${id}`);
  if (rand() < 0.5) await send(client, image(id));
  await pace(client, 2);
}

async function developerCurl(client) {
  await send(
    client,
    pick([
      "/health",
      "/api/v1/products?page=1",
      "/api/v1/products/5",
      "/api/v1/categories",
      "/api/v1/product/5",
      "/api/v1/search?q=lamp",
    ]),
  );
  await pace(client, 1);
}

async function partnerFeed(client) {
  for (let p = 1; p <= 5; p += 1) {
    await send(client, `/api/v1/products?page=${p}&per_page=50`, { headers: { accept: "application/json" } });
    await pace(client, 1);
  }
  await send(client, "/api/v1/categories", { headers: { accept: "application/json" } });
  await pace(client, 1);
}

const ACTIONS = {
  scraper,
  browser,
  mistyper: browser,
  "mobile-app": mobileApp,
  "uptime-monitor": monitor,
  pingdom: monitor,
  crawler,
  slackbot,
  "developer-curl": developerCurl,
  "partner-feed": partnerFeed,
};

/** Spreads what is left of the budget over what is left of the run, with random think times. */
async function pace(client, requests, jitter = true) {
  const left = Math.max(1, client.budget - client.sent);
  const interval = (deadline - Date.now()) / left;
  const factor = jitter ? -Math.log(1 - rand()) : 1;
  await sleep(Math.min(interval * requests * factor, 20_000, deadline - Date.now()));
}

async function run(client) {
  const { Agent } = await import("node:http");
  client.sent = 0;
  client.cache = new Map();
  client.agent = new Agent({ keepAlive: true, maxSockets: 1 });
  await sleep(rand() * Math.min(5_000, SECONDS * 100));
  while (client.sent < client.budget && Date.now() < deadline) {
    await ACTIONS[client.kind](client);
  }
  client.agent.destroy();
}

await Promise.all(clients.map(run));
const sent = clients.reduce((sum, c) => sum + c.sent, 0);
console.log(
  `clients: ${clients.length} clients sent ${sent} requests in ${Math.round((Date.now() - started) / 1000)} s (${errors} connection errors)`,
);
