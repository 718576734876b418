/** Text styles for terminal output; all identity functions when colour is off. */
export interface Palette {
  bold: (text: string) => string;
  dim: (text: string) => string;
  red: (text: string) => string;
  yellow: (text: string) => string;
  cyan: (text: string) => string;
  green: (text: string) => string;
}

/**
 * Colour only on a terminal, and never when `NO_COLOR` is set to anything non-empty (no-color.org) or
 * `--no-color` was given.
 */
export function colorEnabled({
  isTTY,
  noColor,
  env,
}: {
  isTTY: boolean | undefined;
  noColor: boolean;
  env: Record<string, string | undefined>;
}): boolean {
  if (noColor) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTTY === true;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

export function createPalette(enabled: boolean): Palette {
  if (!enabled) return { bold: plain, dim: plain, red: plain, yellow: plain, cyan: plain, green: plain };
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    green: wrap(32, 39),
  };
}
