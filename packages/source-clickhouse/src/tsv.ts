const TSV_ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", "0": "\0" };

/** A TabSeparated cell as its value: `\N` is NULL, `\n`, `\t`, `\0` ... are the characters, `\X` is X. */
export function tsvValue(cell: string | undefined): string | null {
  if (cell === undefined || cell === "\\N") return null;
  if (!cell.includes("\\")) return cell;
  return cell.replace(/\\([\s\S])/g, (_, c: string) => TSV_ESCAPES[c] ?? c);
}
