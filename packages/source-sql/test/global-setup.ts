import type { TestProject } from "vitest/node";
import { startDatabases, type Databases } from "./databases.js";

declare module "vitest" {
  export interface ProvidedContext {
    databases: Databases;
  }
}

/** Starts real MariaDB and PostgreSQL servers once for the whole run; stops and removes them after. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { stop, ...databases } = await startDatabases();
  project.provide("databases", databases);
  return stop;
}
