// Writes the static files nginx serves itself in the real-traffic scenario (styles, scripts, images, a
// video for range requests, robots.txt, sitemap.xml). Sizes are fixed, so every run serves the same bytes.
// Usage: node site.mjs WWW_DIR
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = process.argv[2];
if (!root) {
  console.error("usage: node site.mjs WWW_DIR");
  process.exit(2);
}
const filler = (size, seed) => {
  const bytes = Buffer.alloc(size);
  let a = seed;
  for (let i = 0; i < size; i += 1) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    bytes[i] = a >>> 24;
  }
  return bytes;
};
const write = (path, content) => {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), content);
};

write("static/app.css", `/* shop */\n${"body{margin:0;font-family:sans-serif}\n".repeat(420)}`);
write(
  "static/app.js",
  `// shop\n${"document.querySelectorAll('a').forEach(function(a){a.dataset.seen=1});\n".repeat(380)}`,
);
write("static/vendor.js", `// vendor bundle\n${"function v(a,b){return a&&b?a+b:a||b}\n".repeat(3100)}`);
write("static/img/logo.png", filler(4_213, 1));
for (let i = 1; i <= 60; i += 1)
  write(`static/img/p-${i}.jpg`, filler(9_000 + ((i * 7_919) % 31_000), i + 1));
write("static/media/promo.mp4", filler(2_400_000, 99));
write("favicon.ico", filler(1_150, 7));
write(
  "robots.txt",
  "User-agent: *\nDisallow: /cart\nDisallow: /api/\nSitemap: http://shop.local/sitemap.xml\n",
);
const urls = Array.from(
  { length: 240 },
  (_, i) => `<url><loc>http://shop.local/products/${i + 1}</loc></url>`,
);
write(
  "sitemap.xml",
  `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.join("")}</urlset>\n`,
);
