/**
 * A tuning setting from the environment (`ODDITY_SPOOL_MEMORY=0`): a whole number as written, else
 * `fallback`, so a typo leaves the default in place rather than turning a limit into NaN.
 */
export function envWholeNumber({
  env,
  name,
  fallback,
}: {
  env: Record<string, string | undefined>;
  name: string;
  fallback: number;
}): number {
  const given = env[name];
  return given !== undefined && /^\d+$/.test(given) ? Number(given) : fallback;
}
