/**
 * Where downloaded model files live, for GVT packages and Hub models alike:
 * Cache Storage in the browser (cache-store.ts), a folder in Node
 * (node/fs-hub-store.ts). Types and errors shared by the downloader and the stores.
 */
/**
 * One file of one model (a Hub repo at a revision, or a GVT package) and the
 * URL it is fetched from, which is its key in the store.
 */
export interface FileTarget {
  url: string;
  repo: string;
  revision: string;
  file: string;
}

export interface StoredFile extends FileTarget {
  size: number;
  /** Computed from the bytes (null only where the page has no SubtleCrypto). */
  sha256: string | null;
  /** 'sha256' when the bytes matched a published hash; 'size' when only the size could be checked. */
  verified: 'sha256' | 'size';
}

export interface PartialFile extends FileTarget {
  /** Bytes kept so far: the next request asks for `bytes=offset-`. */
  offset: number;
  /** What the server said about the whole file when these bytes came: a change means starting over. */
  size: number | null;
  sha256: string | null;
  etag: string | null;
}

export interface FileStore {
  /** `blob()` hands the bytes over without reading them into memory first (Cache Storage keeps them on disk). */
  get(url: string): Promise<{ info: StoredFile; bytes(): Promise<Uint8Array>; blob(): Promise<Blob> } | null>;
  put(info: StoredFile, bytes: Uint8Array): Promise<void>;
  delete(url: string): Promise<void>;
  list(): Promise<StoredFile[]>;
  /** The contiguous bytes kept from offset 0, with `info.offset` their length. */
  getPartial(url: string): Promise<{ info: PartialFile; bytes: Uint8Array } | null>;
  /** Adds `chunk` at `info.offset` (the end of what is kept): a checkpoint costs only the new bytes. */
  appendPartial(info: PartialFile, chunk: Uint8Array): Promise<void>;
  deletePartial(url: string): Promise<void>;
  listPartials(): Promise<PartialFile[]>;
  /** Throws a 'quota' error before a download that cannot fit. */
  checkSpace?(bytes: number, target: FileTarget): Promise<void>;
}

export type DownloadErrorKind = 'network' | 'not-found' | 'http' | 'size' | 'integrity' | 'cancelled' | 'quota';

export class DownloadError extends Error {
  constructor(
    readonly kind: DownloadErrorKind,
    message: string,
    /** Worth trying again by itself: a dropped connection, a 5xx. */
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

