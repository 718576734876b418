// TCP forwarders that let a tool speak from its own loopback address. A tool cannot choose its source
// address, so each one talks to its own forwarder (127.0.0.1:LISTEN), which opens the connection to nginx
// from `localAddress` 127.0.0.K: nginx then logs the tool's own address.
// Usage: node forward.mjs TARGET_PORT LISTEN_PORT=127.0.0.K [LISTEN_PORT=127.0.0.K ...]
import { createConnection, createServer } from "node:net";

const [targetArg, ...routes] = process.argv.slice(2);
const target = Number(targetArg);
if (!Number.isInteger(target) || routes.length === 0) {
  console.error("usage: node forward.mjs TARGET_PORT LISTEN_PORT=127.0.0.K ...");
  process.exit(2);
}

const servers = routes.map((route) => {
  const [listen, localAddress] = route.split("=");
  if (!/^127\.\d+\.\d+\.\d+$/.test(localAddress ?? "")) {
    console.error(`forward.mjs: ${route}: expected LISTEN_PORT=127.x.y.z (loopback only)`);
    process.exit(2);
  }
  const server = createServer((inbound) => {
    const outbound = createConnection({ host: "127.0.0.1", port: target, localAddress });
    inbound.pipe(outbound).pipe(inbound);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on("error", close);
    outbound.on("error", close);
    inbound.on("close", close);
    outbound.on("close", close);
  });
  server.listen(Number(listen), "127.0.0.1");
  return server;
});
console.log(`forwarding ${routes.join(" ")} to 127.0.0.1:${target}`);
process.on("SIGTERM", () => {
  for (const server of servers) server.close();
  process.exit(0);
});
