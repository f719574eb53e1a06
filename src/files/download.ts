/**
 * Downloads a model file once, verified, into a FileStore the app reads from
 * offline afterwards: from anything with the Hub's URL layout, or a GVT
 * package's folder. Plain TypeScript: it runs in workers, pages and Node.
 *
 * A connection that drops midway resumes with `Range: bytes=N-`; bytes
 * received so far are kept in the store as a partial file, so a retry after a
 * cancel, a failure or a page reload resumes too.
 */
import { sha256Hex, type FileProgress } from '../engine/package';
import { formatBytes } from '../format';
import { DownloadError, type FileStore, type FileTarget, type StoredFile } from './file-store';

/** A pinned commit is named by its first 7 hex digits, as the Hub's pages name commits. */
const shortRevision = (revision: string) => (/^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision);
export const describeFile = (t: FileTarget) => `${t.repo}/${t.file}${t.revision === 'main' ? '' : ` (revision ${shortRevision(t.revision)})`}`;

export interface RetryOptions {
  signal?: AbortSignal;
  /** Tries after a failure that made no progress; default 3. */
  retries?: number;
  /** First backoff, doubled each time up to 8 s; default 500 ms. */
  retryDelayMs?: number;
}

export interface DownloadOptions extends RetryOptions {
  store: FileStore;
  /** The size and sha256 a package's manifest gives: the server is not asked, and a stored copy with other bytes is replaced. */
  expected?: { size: number; sha256: string };
  onProgress?: (progress: FileProgress) => void;
  /** Bytes between checkpoints of the partial file; default 8 MiB. */
  checkpointBytes?: number;
}

/** What the server publishes about a file. */
export interface RemoteFile {
  size: number | null;
  sha256: string | null;
  etag: string | null;
}

const sha256Of = (value: string | null) => /^(?:W\/)?"?([0-9a-f]{64})"?$/i.exec(value?.trim() ?? '')?.[1].toLowerCase() ?? null;

function remoteFrom(res: Response): RemoteFile {
  const size = res.headers.get('x-linked-size') ?? res.headers.get('content-length');
  return {
    size: size !== null && /^\d+$/.test(size) ? Number(size) : null,
    // LFS files publish their sha256; a 40-hex git blob sha1 ETag says nothing about it.
    sha256: sha256Of(res.headers.get('x-linked-etag')) ?? sha256Of(res.headers.get('etag')),
    etag: res.headers.get('x-linked-etag') ?? res.headers.get('etag'),
  };
}

function fail(t: FileTarget, error: unknown, signal?: AbortSignal, loaded = 0, size: number | null = null): DownloadError {
  if (signal?.aborted) {
    const at = loaded > 0 ? ` at ${formatBytes(loaded)}${size ? ` of ${formatBytes(size)}` : ''}; download again to resume from there` : '';
    return new DownloadError('cancelled', `Download of ${describeFile(t)} cancelled${at}.`);
  }
  if (error instanceof DownloadError) return error;
  return new DownloadError(
    'network',
    `Network error: could not reach ${new URL(t.url).origin} to download ${describeFile(t)} (${why(error)}). Check the connection and try again.`,
    true,
  );
}

/** Node's fetch says "fetch failed" and hides ECONNREFUSED in `cause`. */
function why(error: unknown): string {
  if (error instanceof DownloadError) return error.message;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return [(error as Error)?.message, cause?.code ?? cause?.message].filter(Boolean).join(': ');
}

function statusError(t: FileTarget, res: Response): DownloadError {
  const code = res.headers.get('x-error-code');
  if (code === 'RepoNotFound' || res.status === 401) {
    return new DownloadError('not-found', `Repository ${t.repo} was not found on ${new URL(t.url).origin} (or it is private or gated, which needs a sign-in). Check the model id.`);
  }
  if (res.status === 404) {
    return new DownloadError('not-found', `${t.file} was not found in ${t.repo} at revision ${t.revision} (HTTP 404${code ? ` ${code}` : ''}). Check the file name and revision.`);
  }
  const retryable = res.status >= 500 || res.status === 429;
  return new DownloadError('http', `Could not download ${describeFile(t)}: HTTP ${res.status} ${res.statusText}.`, retryable);
}

const backoff = (o: RetryOptions, failures: number) => Math.min(8000, (o.retryDelayMs ?? 500) * 2 ** (failures - 1));

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// no-store: the bytes go to the store; a second copy in the HTTP cache would only eat quota.
const request = (t: FileTarget, init: RequestInit) => fetch(t.url, { ...init, cache: 'no-store' });

/** HEAD: the size and sha256 the server publishes, retried on network errors and 5xx. */
export async function remoteFile(t: FileTarget, o: RetryOptions = {}): Promise<RemoteFile> {
  for (let failures = 0; ; ) {
    try {
      const res = await request(t, { method: 'HEAD', signal: o.signal });
      if (!res.ok) throw statusError(t, res);
      return remoteFrom(res);
    } catch (error) {
      const err = fail(t, error, o.signal);
      if (!err.retryable || ++failures > (o.retries ?? 3)) throw err;
      await sleep(backoff(o, failures), o.signal).catch((e) => Promise.reject(fail(t, e, o.signal)));
    }
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Downloads one file into `o.store` (or reads it from there), verified by size and, where published, sha256. */
export async function downloadFile(
  t: FileTarget,
  o: DownloadOptions & { remote?: RemoteFile },
): Promise<{ info: StoredFile; bytes: Uint8Array }> {
  const { store, signal } = o;
  const hit = await store.get(t.url);
  if (hit && (!o.expected || hit.info.sha256 === o.expected.sha256)) {
    const bytes = await hit.bytes();
    o.onProgress?.({ file: t.file, loaded: bytes.byteLength, total: hit.info.size });
    return { info: hit.info, bytes };
  }
  if (hit) await store.delete(t.url); // the package changed: its manifest names other bytes now
  const remote = o.remote ?? (o.expected ? { ...o.expected, etag: null } : await remoteFile(t, o));
  const publisher = o.expected ? 'the manifest says' : 'the server publishes';
  let size = remote.size;
  const sha256 = remote.sha256;

  let partial = await store.getPartial(t.url);
  const p = partial?.info;
  if (p && (p.size !== size || p.sha256 !== sha256 || (p.etag && remote.etag && p.etag !== remote.etag) || (size !== null && p.offset > size))) {
    await store.deletePartial(t.url); // the file changed on the server since: its old bytes are useless
    partial = null;
  }
  let chunks = partial ? [partial.bytes] : [];
  let pending: Uint8Array[] = [];
  let loaded = partial?.info.offset ?? 0;
  let saved = loaded;
  const checkpoint = async () => {
    if (loaded === saved) return;
    await store.appendPartial({ ...t, offset: saved, size, sha256, etag: remote.etag }, concat(pending));
    pending = [];
    saved = loaded;
  };
  const restart = async () => {
    chunks = [];
    pending = [];
    loaded = saved = 0;
    await store.deletePartial(t.url);
  };
  if (size !== null) await store.checkSpace?.(size - loaded, t);
  o.onProgress?.({ file: t.file, loaded, total: size ?? 0 });

  for (let failures = 0; size === null || loaded < size || chunks.length === 0; ) {
    const before = loaded;
    try {
      const res = await request(t, { signal, headers: loaded > 0 ? { Range: `bytes=${loaded}-` } : {} });
      if (res.status === 416 || (loaded > 0 && res.status === 200)) {
        // The server cannot continue from our offset (or ignores Range): start over.
        await restart();
        if (res.status === 416) continue;
      } else if (!res.ok) throw statusError(t, res);
      else if (res.status === 206 && !res.headers.get('content-range')?.startsWith(`bytes ${loaded}-`)) {
        throw new DownloadError('http', `The server sent the wrong part of ${describeFile(t)} (${res.headers.get('content-range')}).`);
      }
      if (size === null && res.status === 200) size = remoteFrom(res).size;
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        pending.push(value);
        loaded += value.byteLength;
        o.onProgress?.({ file: t.file, loaded, total: size ?? loaded });
        if (loaded - saved >= (o.checkpointBytes ?? 8 << 20)) await checkpoint();
      }
      if (size !== null && loaded < size) throw new TypeError('the response ended early');
      break;
    } catch (error) {
      const err = fail(t, error, signal, loaded, size);
      // Keep what arrived, for the retry below or one after a reload.
      await checkpoint().catch(() => {});
      if (loaded > before) failures = 0;
      if (!err.retryable) throw err;
      if (++failures > (o.retries ?? 3)) {
        throw new DownloadError(
          'network',
          `Network error: the connection dropped while downloading ${describeFile(t)} and ${failures - 1} retries failed (${why(error)}). ` +
            `Check the connection and download again: the ${formatBytes(loaded)} received are kept and the download resumes from there.`,
        );
      }
      await sleep(backoff(o, failures), signal).catch((e) => Promise.reject(fail(t, e, signal, loaded, size)));
    }
  }

  const bytes = concat(chunks);
  const actual = await sha256Hex(bytes);
  const wrongSize = size !== null && bytes.byteLength !== size;
  if (wrongSize || (sha256 && actual !== null && actual !== sha256)) {
    await store.deletePartial(t.url); // damaged bytes must not be resumed from
    const what = wrongSize
      ? `${bytes.byteLength} bytes arrived but ${publisher} ${size}`
      : `its sha256 is ${actual} but ${publisher} ${sha256}`;
    throw new DownloadError(
      wrongSize ? 'size' : 'integrity',
      `${describeFile(t)} is damaged: ${what}. ${o.expected ? 'It was not stored. Reload to fetch it again.' : 'It was not stored, and the damaged copy was deleted: download it again.'}`,
    );
  }
  const info: StoredFile = { ...t, size: bytes.byteLength, sha256: actual ?? sha256, verified: sha256 && actual ? 'sha256' : 'size' };
  // The partial goes first, so the complete copy never needs room beside it.
  await store.deletePartial(t.url);
  await store.put(info, bytes);
  return { info, bytes };
}

