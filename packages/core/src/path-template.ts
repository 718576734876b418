const NUMBER = /^-?\d+(?:\.\d+)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Long hex runs are ids and hashes; short ones (`cafe`, `add`) are words, so require a digit and length.
const HEX = /^(?=[0-9a-f]*\d)[0-9a-f]{8,}$/i;

function templateSegment(segment: string): string {
  if (segment === "") return segment;
  if (NUMBER.test(segment)) return ":n";
  if (UUID.test(segment)) return ":uuid";
  if (HEX.test(segment)) return ":hex";
  return segment;
}

/**
 * Collapses the parts of a request target that identify one resource among many, so
 * `/api/v1/sales?page=81` and `/api/v1/sales?page=82` share the template `/api/v1/sales?page=:n`.
 * Numeric, uuid and long hex path segments are templated; every query value becomes `:n` when numeric and
 * `:v` otherwise, and query keys keep their order (reordering is itself a signal).
 */
export function pathTemplate(target: string): string {
  const q = target.indexOf("?");
  const pathPart = q === -1 ? target : target.slice(0, q);
  const segments = pathPart.split("/");
  for (let i = 0; i < segments.length; i++) segments[i] = templateSegment(segments[i]!);
  let out = segments.join("/");
  if (q !== -1) {
    const query = target.slice(q + 1);
    if (query.length > 0) {
      const pairs = query.split("&");
      for (let i = 0; i < pairs.length; i++) {
        const pair = pairs[i]!;
        const eq = pair.indexOf("=");
        if (eq === -1) continue;
        const value = pair.slice(eq + 1);
        pairs[i] = `${pair.slice(0, eq)}=${value === "" ? "" : NUMBER.test(value) ? ":n" : ":v"}`;
      }
      out += `?${pairs.join("&")}`;
    } else {
      out += "?";
    }
  }
  return out;
}
