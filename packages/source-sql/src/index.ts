export { isDatabaseUrl, maskUrl, type Dialect } from "./url.js";
export { PASSWORD_ENV } from "./credentials.js";
export { readDatabase, type DatabaseRecordStream, type ReadDatabaseOptions } from "./read-database.js";
