import { ValueCodes } from "./counting/value-codes.js";
import { canonicalField, textReader } from "./fields.js";
import { ownString } from "./own-string.js";
import { pathTemplate } from "./path-template.js";
import type { LogRecord } from "./record.js";

/**
 * What one pipeline remembers about field values, so that each is worked out once however many of its
 * detectors read it: the {@link ValueCodes} of each field, and the path templates of recent paths. The
 * host makes one per pipeline (`createPipeline` does) and hands it to every detector through its
 * `DetectorContext`; nothing here outlives the pipeline, is shared with another one, or reaches a saved
 * model. Code that reads records outside a pipeline can make its own.
 */
export interface FieldCache {
  /**
   * The codes of `field` (aliases resolve to the field): the same object for every caller of this cache,
   * so rarity's count of `ip` and conditional's then find a record's ip with one lookup.
   */
  readonly codes: (field: string) => ValueCodes;
  /** Reads a field as `fieldReader` does, path templates remembered in this cache. */
  readonly reader: (name: string) => (record: LogRecord) => string | null;
  /** The template of `path` (`pathTemplate`), remembered. */
  readonly template: (path: string) => string;
}

// Templating is the costliest derived field and paths repeat heavily: a bounded memo of them.
const TEMPLATE_CACHE_LIMIT = 50_000;

/** An empty {@link FieldCache}. */
export function createFieldCache(): FieldCache {
  const tables = new Map<string, ValueCodes>();
  const templates = new Map<string, string>();
  // Several detectors read the template of the same record in turn: the last answer is kept by identity,
  // which costs a pointer comparison where the map costs hashing the path again.
  let lastPath: string | null = null;
  let lastTemplate = "";
  let templateCodes: ValueCodes | null = null;

  function codes(field: string): ValueCodes {
    const name = canonicalField(field);
    let found = tables.get(name);
    if (found === undefined) {
      found = new ValueCodes();
      tables.set(name, found);
    }
    return found;
  }

  // A template is handed out as the very string its value codes keep, so the counters' lookups of it
  // compare pointers.
  function intern(text: string): string {
    templateCodes ??= codes("path_template");
    const code = templateCodes.code(text);
    return code < 0 ? text : templateCodes.value(code);
  }

  function template(path: string): string {
    if (path === lastPath) return lastTemplate;
    let found = templates.get(path);
    if (found === undefined) {
      found = intern(pathTemplate(path));
      if (templates.size >= TEMPLATE_CACHE_LIMIT) templates.clear();
      templates.set(ownString(path), found);
    }
    lastPath = path;
    lastTemplate = found;
    return found;
  }

  return { codes, template, reader: (name) => textReader({ name, template }) };
}
