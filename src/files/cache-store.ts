/**
 * The one store of model files on Cache Storage (pages and workers; secure
 * contexts only), for GVT packages and Hub models side by side: each file is
 * keyed by the URL it came from. Complete files live in one cache; a partial
 * download lives in another as one entry per checkpointed piece, keyed by the
 * URL plus `?gvt-offset=N`, so a checkpoint writes only the new bytes. Each
 * entry's metadata (repo, file, size, sha256…) rides in a response header.
 */
import { formatBytes } from '../format';
import { describeFile } from './download';
import { cachedModels } from './download-list';
import { DownloadError, type FileStore, type FileTarget, type PartialFile, type StoredFile } from './file-store';

export const FILES_CACHE = 'gvt-web-files-v1';
export const PARTIAL_FILES_CACHE = 'gvt-web-files-partial-v1';
/** Where earlier versions kept package and Hub files apart: emptied, since nothing reads them now. */
export const LEGACY_CACHES = ['gvt-web-models-v1', 'gvt-web-hub-v1', 'gvt-web-hub-partial-v1'];

const INFO = 'x-gvt-info';
const OFFSET = 'gvt-offset';

// Header values must be ASCII; file names need not be.
const encode = (info: object) => encodeURIComponent(JSON.stringify(info));
function decode<T>(res: Response): T | null {
  try {
    return JSON.parse(decodeURIComponent(res.headers.get(INFO) ?? ''));
  } catch {
    return null;
  }
}

const normal = (url: string) => new URL(url).href;
function pieceKey(url: string, offset: number): string {
  const u = new URL(url);
  u.searchParams.set(OFFSET, String(offset));
  return u.href;
}
function pieceOf(key: string): { url: string; offset: number } {
  const u = new URL(key);
  const offset = Number(u.searchParams.get(OFFSET));
  u.searchParams.delete(OFFSET);
  return { url: u.href, offset };
}

const isQuota = (e: unknown) => ['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED'].includes((e as Error)?.name);

const entry = (bytes: Uint8Array, info: object) =>
  new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength), [INFO]: encode(info) },
  });

export class CacheStore implements FileStore {
  constructor(private readonly names = { files: FILES_CACHE, partial: PARTIAL_FILES_CACHE }) {}

  private files = () => caches.open(this.names.files);
  private partials = () => caches.open(this.names.partial);
  /** Reading opens nothing new: after `clear()` the caches stay gone until a file is stored. */
  private async existing(name: string): Promise<Cache | null> {
    return (await caches.has(name)) ? caches.open(name) : null;
  }

  async get(url: string) {
    const res = await (await this.existing(this.names.files))?.match(url);
    const info = res && decode<StoredFile>(res);
    if (!res || !info) return null;
    return { info, bytes: async () => new Uint8Array(await res.clone().arrayBuffer()), blob: () => res.clone().blob() };
  }

  async put(info: StoredFile, bytes: Uint8Array): Promise<void> {
    const cache = await this.files();
    await this.guard(info, bytes.byteLength, () => cache.put(info.url, entry(bytes, info)));
  }

  /** Drops both caches, every model with them. */
  async clear(): Promise<void> {
    await caches.delete(this.names.files);
    await caches.delete(this.names.partial);
  }

  async delete(url: string): Promise<void> {
    await (await this.files()).delete(url);
  }

  async list(): Promise<StoredFile[]> {
    const all = (await (await this.existing(this.names.files))?.matchAll()) ?? [];
    return all.map((res) => decode<StoredFile>(res)).filter((info): info is StoredFile => info !== null);
  }

  /** The pieces of `url` in order, up to the first gap (a piece lost to eviction ends what can be resumed). */
  private async pieces(cache: Cache, url: string): Promise<{ info: PartialFile; res: Response }[]> {
    const keys = (await cache.keys(url, { ignoreSearch: true })).filter((k) => pieceOf(k.url).url === normal(url));
    const out: { info: PartialFile; res: Response }[] = [];
    let end = 0;
    for (const key of keys.sort((a, b) => pieceOf(a.url).offset - pieceOf(b.url).offset)) {
      const res = await cache.match(key);
      const info = res && decode<PartialFile>(res);
      if (!res || !info || info.offset !== end) break;
      out.push({ info, res });
      end += Number(res.headers.get('content-length'));
    }
    return out;
  }

  async getPartial(url: string) {
    const pieces = await this.pieces(await this.partials(), url);
    if (pieces.length === 0) return null;
    const blobs = await Promise.all(pieces.map((p) => p.res.blob()));
    const bytes = new Uint8Array(await new Blob(blobs).arrayBuffer());
    return { info: { ...pieces[0].info, offset: bytes.byteLength }, bytes };
  }

  async appendPartial(info: PartialFile, chunk: Uint8Array): Promise<void> {
    const cache = await this.partials();
    // What the download still needs is the rest of the file, not this piece.
    const needed = info.size === null ? chunk.byteLength : info.size - info.offset;
    await this.guard(info, needed, () => cache.put(pieceKey(info.url, info.offset), entry(chunk, info)));
  }

  async deletePartial(url: string): Promise<void> {
    const cache = await this.partials();
    for (const key of await cache.keys(url, { ignoreSearch: true })) {
      if (pieceOf(key.url).url === normal(url)) await cache.delete(key);
    }
  }

  async listPartials(): Promise<PartialFile[]> {
    const cache = await this.existing(this.names.partial);
    if (!cache) return [];
    const urls = new Set((await cache.keys()).map((k) => pieceOf(k.url).url));
    const out: PartialFile[] = [];
    for (const url of urls) {
      const pieces = await this.pieces(cache, url);
      const last = pieces.at(-1);
      if (last) out.push({ ...last.info, offset: last.info.offset + Number(last.res.headers.get('content-length')) });
    }
    return out;
  }

  /** Refuses early a download the browser's quota cannot hold, rather than failing at the last byte. */
  async checkSpace(bytes: number, target: FileTarget): Promise<void> {
    const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => null);
    if (!estimate?.quota) return;
    const free = estimate.quota - (estimate.usage ?? 0);
    if (bytes > free) throw await this.quotaError(target, bytes, free);
  }

  private async guard(target: FileTarget, bytes: number, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (isQuota(error)) throw await this.quotaError(target, bytes);
      throw error;
    }
  }

  /** Says how much was needed and what could be deleted to make room. */
  private async quotaError(target: FileTarget, needed: number, free?: number): Promise<DownloadError> {
    const models = (await cachedModels(this).catch(() => [])).filter((m) => m.repo !== target.repo);
    const room = free === undefined ? '' : ` and the browser allows about ${formatBytes(Math.max(0, free))} more for this site`;
    const fix = models.length
      ? `Delete a cached model to make room (${models.map((m) => `${m.repo}: ${formatBytes(m.bytes + m.partialBytes)}`).join(', ')})`
      : `Free disk space on this device (the browser gives a site a share of it) or clear this site's data`;
    return new DownloadError('quota', `Not enough storage for ${describeFile(target)}: it needs ${formatBytes(needed)}${room}. ${fix}, then download again.`);
  }
}
