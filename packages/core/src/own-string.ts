/**
 * A copy of `value` that shares no memory with the text it was cut from. V8 represents a substring of 13
 * or more characters as a view into its parent, so a map key cut from a log line keeps the whole line
 * alive as long as the key lives; counters copy each new key once so memory follows the keys, not the
 * lines they came from. Short strings are copies already and come back as they are.
 */
export function ownString(value: string): string {
  // A JSON round trip builds a new flat string (lone surrogates survive it): a key compared at every
  // lookup is then one object, not a view plus the text it points into.
  return value.length < 13 ? value : (JSON.parse(JSON.stringify(value)) as string);
}
