/** The detectors bundled with the CLI: short name → package. */
export const BUILTIN_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  rarity: "@oddity/detector-rarity",
  conditional: "@oddity/detector-conditional",
  size: "@oddity/detector-size",
  params: "@oddity/detector-params",
  client: "@oddity/detector-client",
  targets: "@oddity/detector-targets",
});

// Literal specifiers, so each bundled detector is loaded from the CLI's own dependencies (the user's
// project need not install them) and only when a pipeline uses it.
const loaders: Readonly<Record<string, () => Promise<unknown>>> = {
  "@oddity/detector-rarity": () => import("@oddity/detector-rarity"),
  "@oddity/detector-conditional": () => import("@oddity/detector-conditional"),
  "@oddity/detector-size": () => import("@oddity/detector-size"),
  "@oddity/detector-params": () => import("@oddity/detector-params"),
  "@oddity/detector-client": () => import("@oddity/detector-client"),
  "@oddity/detector-targets": () => import("@oddity/detector-targets"),
};

/** The package a `use` specifier names when it is a bundled detector (short or full name), else null. */
export function builtinPackage(use: string): string | null {
  if (Object.hasOwn(BUILTIN_PACKAGES, use)) return BUILTIN_PACKAGES[use]!;
  return Object.hasOwn(loaders, use) ? use : null;
}

/** Imports a bundled detector package. */
export function importBuiltin(pkg: string): Promise<unknown> {
  return loaders[pkg]!();
}
