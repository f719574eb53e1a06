import { readManifest, sha256Hex, type PackageSource } from '../engine/package';
import { MODEL_CACHE } from '../worker-api/messages';

/** The Cache Storage key of a package file: its URL and sha256, so a changed file is never served stale. */
const keyOf = (source: PackageSource, path: string, sha256: string) => new URL(`${source.describe(path)}?sha256=${sha256}`, location.href).href;

/**
 * Reads the package files the manifest lists through Cache Storage: a file is
 * stored once its bytes match the manifest, and read from there on later
 * loads. Without Cache Storage (a plain-http page) it is the source itself.
 */
export function withCache(source: PackageSource): { source: PackageSource; cached(path: string, sha256: string): Promise<boolean> } {
  if (typeof caches === 'undefined' || !globalThis.crypto?.subtle) return { source, cached: async () => false };
  const open = () => caches.open(MODEL_CACHE).catch(() => null);
  let hashes: Promise<Map<string, string>> | null = null;
  const shaOf = async (path: string) => {
    hashes ??= readManifest(source).then((m) => new Map(Object.values(m.files).map((f) => [f.path, f.sha256])));
    return (await hashes).get(path);
  };
  return {
    cached: async (path, sha256) => Boolean(await (await open())?.match(keyOf(source, path, sha256)).catch(() => undefined)),
    source: {
      describe: source.describe,
      async read(path, onProgress) {
        const hash = path === 'manifest.json' ? undefined : await shaOf(path);
        if (!hash) return source.read(path, onProgress);
        const key = keyOf(source, path, hash);
        const cache = await open();
        const hit = await cache?.match(key).catch(() => undefined);
        if (hit) {
          const bytes = new Uint8Array(await hit.arrayBuffer());
          onProgress?.(bytes.byteLength);
          return bytes;
        }
        const bytes = await source.read(path, onProgress);
        if (cache && (await sha256Hex(bytes)) === hash) {
          const headers = { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) };
          await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers })).catch(() => {}); // quota: load anyway
        }
        return bytes;
      },
    },
  };
}
