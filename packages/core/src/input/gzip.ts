import { once } from "node:events";
import { constants, createGunzip } from "node:zlib";

/**
 * gzip data that ends early (`offset` is where it ends) or is corrupt (the damage lies after `offset`,
 * the compressed bytes zlib had consumed when it noticed).
 */
export class GzipDamage extends Error {
  constructor(
    readonly truncated: boolean,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(
      truncated
        ? `gzip data ends early at compressed byte ${offset} (${reason})`
        : `gzip data is corrupt after compressed byte ${offset} (${reason})`,
    );
    this.name = "GzipDamage";
  }
}

function isZlibError(error: unknown): error is Error & { code: string } {
  const code: unknown = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("Z_");
}

/** True when bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip chunks (several members too) as they arrive, pulling input only as output is consumed.
 * Damage throws GzipDamage after every byte decodable before it has been yielded.
 */
export async function* gunzipChunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const gunzip = createGunzip();
  const stop = new AbortController();
  let fed = 0;
  const pump = async (): Promise<void> => {
    for await (const chunk of chunks) {
      if (stop.signal.aborted) return;
      fed += chunk.length;
      if (!gunzip.write(chunk)) await once(gunzip, "drain", { signal: stop.signal });
    }
    if (stop.signal.aborted) return;
    // A sync flush first pushes out everything a cut-off stream still holds; end() then reports the cut.
    await new Promise<void>((resolve) => gunzip.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    gunzip.end();
  };
  pump().catch((error: unknown) => {
    if (!stop.signal.aborted) gunzip.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (error) {
    if (!isZlibError(error)) throw error;
    // A cut-off file is damaged where it ends; elsewhere zlib knows how far it read.
    const truncated = error.code === "Z_BUF_ERROR";
    throw new GzipDamage(truncated, truncated ? fed : Math.min(gunzip.bytesWritten, fed), error.message);
  } finally {
    stop.abort();
    gunzip.destroy();
  }
}
