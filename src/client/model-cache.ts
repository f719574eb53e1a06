import { MODEL_CACHE } from '../worker-api/messages';

export interface CachedFile {
  /** The file's URL without the sha256 key. */
  url: string;
  bytes: number;
}

const storage = () => (typeof caches === 'undefined' ? null : caches);

/** The package files the workers keep in Cache Storage; empty where the page has none (plain http). */
export async function listCachedFiles(): Promise<CachedFile[]> {
  const store = storage();
  if (!store || !(await store.has(MODEL_CACHE))) return [];
  const cache = await store.open(MODEL_CACHE);
  const files: CachedFile[] = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    if (!response) continue;
    const length = Number(response.headers.get('content-length'));
    const bytes = Number.isFinite(length) && length > 0 ? length : (await response.blob()).size;
    const url = new URL(request.url);
    url.search = '';
    files.push({ url: url.href, bytes });
  }
  return files.sort((a, b) => a.url.localeCompare(b.url));
}

/** Deletes every cached package file: the next load downloads them again. */
export async function clearModelCache(): Promise<void> {
  await storage()?.delete(MODEL_CACHE);
}
