/**
 * The error statuses a client's errors are broken down by in messages: those a probe meets (bad request,
 * unauthorized, forbidden, not found, method not allowed, server error). Others count only in the total.
 */
export const NAMED_STATUSES = [400, 401, 403, 404, 405, 500] as const;

/** By status (0 to 999): its index in {@link NAMED_STATUSES}, or -1. */
export const STATUS_SLOT: Readonly<Int8Array> = (() => {
  const slots = new Int8Array(1000).fill(-1);
  NAMED_STATUSES.forEach((status, i) => (slots[status] = i));
  return slots;
})();

/** The slot of an error's status, or -1 when it is not a named one. */
export function statusSlot(status: number | null): number {
  return status === null ? -1 : (STATUS_SLOT[status] ?? -1);
}
