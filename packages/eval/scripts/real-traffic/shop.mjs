// A small JSON shop API with a few HTML pages, the application behind nginx in the real-traffic scenario.
// No dependencies. Usage: node shop.mjs PORT (listens on 127.0.0.1 only).
//
// It parses parameters leniently, as many real APIs do (`page=2 AND 1=1` reads as page 2), so injection
// payloads get ordinary 200 answers of ordinary size: nothing in the status or size gives them away.
import { createServer } from "node:http";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: node shop.mjs PORT");
  process.exit(2);
}

/** Deterministic pseudo-random numbers (mulberry32), so the catalogue is the same on every run. */
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

const rand = random(17);
const CATEGORIES = ["kitchen", "garden", "books", "toys", "audio", "office", "sports", "lighting"];
const WORDS = (
  "steel oak linen ceramic compact classic deluxe travel wireless solar bamboo copper vintage " +
  "portable foldable organic smart mini large set kettle lamp chair speaker notebook ball mug " +
  "planter headphones desk backpack blender puzzle racket candle"
).split(" ");
const pick = (list) => list[Math.floor(rand() * list.length)];
const PRODUCTS = Array.from({ length: 240 }, (_, index) => {
  const id = index + 1;
  const name = `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}`;
  return {
    id,
    name,
    slug: name.replaceAll(" ", "-"),
    category: pick(CATEGORIES),
    price: Math.round(300 + rand() * 20000) / 100,
    stock: Math.floor(rand() * 80),
    rating: Math.round(20 + rand() * 30) / 10,
    description: Array.from({ length: 8 + Math.floor(rand() * 30) }, () => pick(WORDS)).join(" "),
    image: `/static/img/p-${(id % 60) + 1}.jpg`,
  };
});
const USERS = new Map([
  ["alice", "wonderland"],
  ["bob", "builder42"],
  ["carol", "s3cret!"],
]);
const PER_PAGE = 20;

/** `parseInt` semantics on purpose: leading digits win, anything else falls back. */
function lenientInt(value, fallback) {
  const parsed = Number.parseInt(value ?? "", 10);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

function pageOf(list, query) {
  const perPage = Math.min(lenientInt(query.get("per_page"), PER_PAGE), 50);
  const page = lenientInt(query.get("page"), 1);
  const items = list.slice((page - 1) * perPage, page * perPage);
  return { page, per_page: perPage, total: list.length, pages: Math.ceil(list.length / perPage), items };
}

const summary = ({ id, name, slug, category, price, rating, image }) => ({
  id,
  name,
  slug,
  category,
  price,
  rating,
  image,
});

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function html(title, body) {
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)} | Shop</title>` +
    `<link rel="stylesheet" href="/static/app.css"><script defer src="/static/vendor.js"></script>` +
    `<script defer src="/static/app.js"></script></head><body><header><a href="/"><img src="/static/img/logo.png" alt="Shop"></a>` +
    `<nav><a href="/categories">Categories</a> <a href="/search?q=lamp">Lamps</a> <a href="/about">About</a>` +
    ` <a href="/contact">Contact</a> <a href="/login">Log in</a> <a href="/cart">Cart</a></nav>` +
    `<form action="/search"><input name="q"><button>Search</button></form></header>` +
    `<main>${body}</main><footer>Shop demo</footer></body></html>`
  );
}

const productCard = (p) =>
  `<li><a href="/products/${p.id}"><img src="${p.image}" alt="">${escapeHtml(p.name)}</a> ${p.price}</li>`;

function readBody(request) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    request.on("data", (chunk) => {
      size += chunk.length;
      if (size <= 65536) chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", () => resolve(""));
  });
}

function credentials(body, type) {
  if ((type ?? "").includes("json")) {
    try {
      const parsed = JSON.parse(body);
      return { user: String(parsed.username ?? ""), password: String(parsed.password ?? "") };
    } catch {
      return { user: "", password: "" };
    }
  }
  const form = new URLSearchParams(body);
  return { user: form.get("username") ?? "", password: form.get("password") ?? "" };
}

async function route(request, url) {
  const path = url.pathname;
  const query = url.searchParams;
  const method = request.method ?? "GET";
  const authorised = /^Bearer tok-[a-z]+$/.test(request.headers.authorization ?? "");
  let match;

  if (path === "/health") return { json: { status: "ok", products: PRODUCTS.length } };
  if (path === "/api/v1/products" && (method === "GET" || method === "HEAD")) {
    const result = pageOf(PRODUCTS, query);
    return { json: { ...result, items: result.items.map(summary) } };
  }
  if ((match = /^\/api\/v1\/products\/(\d+)$/.exec(path))) {
    const product = PRODUCTS[Number(match[1]) - 1];
    return product ? { json: product } : { status: 404, json: { error: "product not found" } };
  }
  if (path === "/api/v1/search") {
    const q = (query.get("q") ?? "").toLowerCase().trim();
    const found = q === "" ? [] : PRODUCTS.filter((p) => p.name.includes(q) || p.category === q);
    const result = pageOf(found, query);
    return { json: { q, ...result, items: result.items.map(summary) } };
  }
  if (path === "/api/v1/categories") {
    return {
      json: CATEGORIES.map((slug) => ({ slug, count: PRODUCTS.filter((p) => p.category === slug).length })),
    };
  }
  if ((match = /^\/api\/v1\/categories\/([a-z]+)\/products$/.exec(path))) {
    if (!CATEGORIES.includes(match[1])) return { status: 404, json: { error: "category not found" } };
    const result = pageOf(
      PRODUCTS.filter((p) => p.category === match[1]),
      query,
    );
    return { json: { ...result, items: result.items.map(summary) } };
  }
  if (path === "/api/v1/login" || path === "/login") {
    if (method !== "POST") {
      return path === "/login"
        ? {
            html: html(
              "Log in",
              `<form method="post"><input name="username"><input name="password" type="password"></form>`,
            ),
          }
        : { status: 405, json: { error: "use POST" } };
    }
    const { user, password } = credentials(await readBody(request), request.headers["content-type"]);
    return USERS.get(user) === password
      ? { json: { token: `tok-${user}`, user } }
      : { status: 401, json: { error: "invalid credentials" } };
  }
  if (path === "/api/v1/cart") {
    if (!authorised) return { status: 401, json: { error: "login required" } };
    return { json: { items: [summary(PRODUCTS[3]), summary(PRODUCTS[41])], total: 2 } };
  }
  if (path === "/api/v1/cart/items" && method === "POST") {
    await readBody(request);
    return authorised
      ? { status: 201, json: { added: true } }
      : { status: 401, json: { error: "login required" } };
  }
  if (path === "/") {
    return { html: html("Home", `<h1>Shop</h1><ul>${PRODUCTS.slice(0, 12).map(productCard).join("")}</ul>`) };
  }
  if ((match = /^\/products\/(\d+)$/.exec(path))) {
    const p = PRODUCTS[Number(match[1]) - 1];
    if (!p) return { status: 404, html: html("Not found", "<h1>Not found</h1>") };
    return {
      html: html(
        p.name,
        `<h1>${escapeHtml(p.name)}</h1><img src="${p.image}"><p>${escapeHtml(p.description)}</p>`,
      ),
    };
  }
  if (path === "/categories") {
    return { html: html("Categories", `<ul>${CATEGORIES.map((c) => `<li>${c}</li>`).join("")}</ul>`) };
  }
  if (path === "/search") {
    const q = (query.get("q") ?? "").toLowerCase();
    const found = PRODUCTS.filter((p) => q !== "" && p.name.includes(q)).slice(0, 20);
    return {
      html: html(`Search ${q}`, `<h1>${escapeHtml(q)}</h1><ul>${found.map(productCard).join("")}</ul>`),
    };
  }
  if (path === "/about" || path === "/contact" || path === "/cart") {
    return {
      html: html(
        path.slice(1),
        `<h1>${path.slice(1)}</h1><p>${"Lorem ipsum dolor sit amet. ".repeat(20)}</p>`,
      ),
    };
  }
  return path.startsWith("/api/")
    ? { status: 404, json: { error: "not found" } }
    : { status: 404, html: html("Not found", "<h1>Not found</h1>") };
}

const server = createServer(async (request, response) => {
  let url;
  try {
    url = new URL(request.url ?? "/", "http://shop.local");
  } catch {
    response.writeHead(400).end();
    return;
  }
  const { status = 200, json, html: page } = await route(request, url);
  const body = page ?? JSON.stringify(json);
  response.writeHead(status, {
    "content-type": page === undefined ? "application/json" : "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  response.end(request.method === "HEAD" ? undefined : body);
});
server.keepAliveTimeout = 30_000;
server.listen(port, "127.0.0.1", () => console.log(`shop listening on 127.0.0.1:${port}`));
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
