export {
  countLines,
  fitWithDuckDB,
  type DuckDBCountOptions,
  type DuckDBCounts,
  type DuckDBFit,
  type DuckDBFitOptions,
} from "./fit.js";
export { plainLinePattern, splitLinesSql, type SqlLayout } from "./clf-sql.js";
export { sqlNumber, sqlString } from "./sql-text.js";
