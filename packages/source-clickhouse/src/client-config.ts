import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

/** Where clickhouse-client keeps a user's settings, relative to the home folder. */
export const CLIENT_CONFIG = path.join(".clickhouse-client", "config.xml");

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeXmlText(raw: string): string {
  const cdata = /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(raw.trim());
  if (cdata) return cdata[1]!;
  return raw.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith("#x") || name.startsWith("#X"))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? whole;
  });
}

function element(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match === null ? undefined : decodeXmlText(match[1]!);
}

/**
 * The `<user>` and `<password>` of `~/.clickhouse-client/config.xml`, the file clickhouse-client reads
 * them from (as `~/.my.cnf` is for MySQL), or null when there is no such file. `shown` names it with `~`.
 */
export function readClientConfig(
  env: Record<string, string | undefined>,
): { user?: string; password?: string; shown: string } | null {
  const file = path.join(env.HOME ?? homedir(), CLIENT_CONFIG);
  let xml: string;
  try {
    xml = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  // Commented-out settings are not settings.
  const live = xml.replace(/<!--[\s\S]*?-->/g, "");
  const user = element(live, "user");
  const password = element(live, "password");
  return {
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
    shown: path.join("~", CLIENT_CONFIG),
  };
}
