import { allFiles } from '../engine/manifest';
import { readManifest, type PackageSource } from '../engine/package';
import { CacheStore } from '../files/cache-store';
import { downloadFile } from '../files/download';
import type { FileTarget } from '../files/file-store';

/**
 * A package whose files go through the one file store: downloaded once
 * (resuming, checked against the manifest's size and sha256) into Cache
 * Storage beside the Hub models, and read from there on later loads. The
 * manifest and model card are always asked of the server (or, offline, of the
 * service worker). Without Cache Storage (a plain-http page) it is the source itself.
 */
export function storedPackage(http: PackageSource): { source: PackageSource; cached(path: string, sha256: string): Promise<boolean> } {
  if (typeof caches === 'undefined' || !globalThis.crypto?.subtle) return { source: http, cached: async () => false };
  const store = new CacheStore();
  const url = (path: string) => new URL(http.describe(path), location.href).href;
  // The package's folder names it in the store, as a repo names a Hub model.
  const target = (path: string): FileTarget => ({ url: url(path), repo: url('').replace(/\/$/, ''), revision: 'main', file: path });
  let listing: Promise<Map<string, { size: number; sha256: string }>> | null = null;
  const listed = async (path: string) => {
    listing ??= readManifest(http).then((m) => new Map(allFiles(m).map((f) => [f.path, { size: f.bytes, sha256: f.sha256 }])));
    return (await listing).get(path);
  };
  return {
    cached: async (path, sha256) => (await store.get(target(path).url))?.info.sha256 === sha256,
    source: {
      describe: http.describe,
      async read(path, onProgress) {
        const expected = path === 'manifest.json' ? undefined : await listed(path);
        if (!expected) return http.read(path, onProgress);
        const { bytes } = await downloadFile(target(path), { store, expected, onProgress: (p) => onProgress?.(p.loaded) });
        return bytes;
      },
    },
  };
}
