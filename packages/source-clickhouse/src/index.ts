export { chIdentifier, chNumber, chString } from "./escape.js";
export { TABLE_FIELDS, countQuerySql, fitInClickHouse } from "./fit.js";
