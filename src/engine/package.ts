import { validateManifest, type FileRole, type ModelManifest } from './manifest';

export interface FileProgress {
  file: string;
  loaded: number;
  total: number;
}

/** Where a package's files come from: HTTP in the browser, the file system in Node. */
export interface PackageSource {
  describe(path: string): string;
  read(path: string, onProgress?: (loaded: number) => void): Promise<Uint8Array>;
}

export class PackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageError';
  }
}

export async function readManifest(source: PackageSource): Promise<ModelManifest> {
  const bytes = await source.read('manifest.json');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new PackageError(`${source.describe('manifest.json')} is not valid JSON: ${(error as Error).message}`);
  }
  return validateManifest(json);
}

/** Hex sha256 of the bytes, or null where the page has no SubtleCrypto. */
export async function sha256Hex(bytes: Uint8Array): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  // Plain-http pages (a classroom LAN) have no SubtleCrypto: the size check still runs.
  if (!subtle) return null;
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Reads one file the manifest lists and checks its size and sha256 against it. */
export async function readPackageFile(
  source: PackageSource,
  manifest: ModelManifest,
  role: FileRole,
  onProgress?: (progress: FileProgress) => void,
): Promise<Uint8Array> {
  const file = manifest.files[role];
  if (!file) throw new PackageError(`${source.describe('manifest.json')} lists no ${role} file`);
  const { path, bytes: expected, sha256 } = file;
  const bytes = await source.read(path, (loaded) => onProgress?.({ file: path, loaded, total: expected }));
  if (bytes.byteLength !== expected) {
    throw new PackageError(
      `${source.describe(path)} is ${bytes.byteLength} bytes but the manifest says ${expected}: the download was cut short or the file was replaced. Reload to fetch it again.`,
    );
  }
  const actual = await sha256Hex(bytes);
  if (actual !== null && actual !== sha256) {
    throw new PackageError(`${source.describe(path)} is damaged: its sha256 is ${actual}, the manifest says ${sha256}. Reload to fetch it again.`);
  }
  onProgress?.({ file: path, loaded: expected, total: expected });
  return bytes;
}

export async function readPackageJson(source: PackageSource, manifest: ModelManifest, role: FileRole): Promise<unknown> {
  const bytes = await readPackageFile(source, manifest, role);
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * A package served over HTTP(S) under `baseUrl`, with download progress. The
 * manifest is fetched once per source (planning, checking the cached files and
 * loading all read it); a failed fetch is not kept, so a retry asks again.
 */
export function httpSource(baseUrl: string): PackageSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  let manifest: Promise<Uint8Array> | null = null;
  const source: PackageSource = {
    describe: (path) => `${base}${path}`,
    read(path, onProgress) {
      if (path !== 'manifest.json') return fetchFile(path, onProgress);
      if (!manifest) {
        manifest = fetchFile(path);
        manifest.catch(() => (manifest = null));
      }
      return manifest;
    },
  };
  const fetchFile = async (path: string, onProgress?: (loaded: number) => void): Promise<Uint8Array> => {
    const url = new URL(path, new URL(base, globalThis.location?.href)).href;
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      throw new PackageError(`Could not download ${url}: ${(error as Error).message}. Check the connection and reload.`);
    }
    if (!response.ok) throw new PackageError(`Could not download ${url}: HTTP ${response.status} ${response.statusText}`);
    if (!response.body) return new Uint8Array(await response.arrayBuffer());
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      onProgress?.(loaded);
    }
    const out = new Uint8Array(loaded);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  };
  return source;
}
