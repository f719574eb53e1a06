import type { ModelManifest } from '../src/engine/manifest';
import { sha256Hex, type PackageSource } from '../src/engine/package';
import { MODEL_CACHE } from '../src/worker-api/messages';

/**
 * Reads the package files the manifest lists through Cache Storage: a file is
 * stored (keyed by its URL and sha256, so a changed file is never served stale)
 * once its bytes match the manifest, and read from there on later loads.
 * Without Cache Storage (a plain-http page) it is the source itself.
 */
export function withCache(source: PackageSource, manifest: ModelManifest): PackageSource {
  if (typeof caches === 'undefined' || !globalThis.crypto?.subtle) return source;
  const sha = new Map(Object.values(manifest.files).map((f) => [f.path, f.sha256]));
  return {
    describe: source.describe,
    async read(path, onProgress) {
      const hash = sha.get(path);
      if (!hash) return source.read(path, onProgress);
      const key = new URL(`${source.describe(path)}?sha256=${hash}`, location.href).href;
      const cache = await caches.open(MODEL_CACHE).catch(() => null);
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
  };
}
