/**
 * A FileStore on disk, in the Hub's own URL layout: the file fetched from
 * `{endpoint}/{repo}/resolve/{revision}/{file}` lives at
 * `{dir}/{repo}/resolve/{revision}/{file}`, so a folder filled by
 * `npm run models:pull` can be served as-is by any static host (booth mode).
 *
 * Complete files are written to a temporary name and renamed, so a file under
 * its real name is always whole. Bytes of an unfinished download are kept in
 * `{file}.partial`, with what the server said about the file in
 * `{file}.partial.json`: a pull that was interrupted resumes from there.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { FileStore, PartialFile, StoredFile } from '../files/file-store';

const PARTIAL = '.partial';
const PARTIAL_INFO = '.partial.json';

export class FsFileStore implements FileStore {
  private readonly endpoint: string;

  /** `endpoint` is the one the URLs given to the store start with. */
  constructor(
    readonly dir: string,
    endpoint: string,
  ) {
    this.endpoint = endpoint.replace(/\/+$/, '');
  }

  /** Where the file fetched from `url` lives; throws for a URL outside the endpoint or one that climbs out of `dir`. */
  pathOf(url: string): string {
    if (!url.startsWith(`${this.endpoint}/`)) throw new Error(`${url} is not under ${this.endpoint}`);
    const parts = url
      .slice(this.endpoint.length + 1)
      .split(/[?#]/)[0]
      .split('/')
      .map(decodeURIComponent);
    if (parts.length < 5 || parts[2] !== 'resolve' || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes(sep))) {
      throw new Error(`${url} is not a Hub file URL ({endpoint}/{owner}/{name}/resolve/{revision}/{file})`);
    }
    return join(this.dir, ...parts);
  }

  /** The file's URL and parts from its path under `dir` (the inverse of pathOf). */
  private targetOf(path: string) {
    const parts = relative(this.dir, path).split(sep);
    const [owner, name, , revision, ...file] = parts;
    return {
      url: `${this.endpoint}/${[owner, name, 'resolve', revision, ...file].map(encodeURIComponent).join('/')}`,
      repo: `${owner}/${name}`,
      revision,
      file: file.join('/'),
    };
  }

  async get(url: string) {
    const path = this.pathOf(url);
    const st = await stat(path).catch(() => null);
    if (!st?.isFile()) return null;
    const bytes = await readFile(path);
    const info: StoredFile = {
      ...this.targetOf(path),
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      // Written only after it was verified, and only under its final name by a rename.
      verified: 'size',
    };
    return { info, bytes: async () => new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), blob: async () => new Blob([bytes]) };
  }

  async put(info: StoredFile, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(info.url);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  }

  async delete(url: string): Promise<void> {
    await rm(this.pathOf(url), { force: true });
  }

  async list(): Promise<StoredFile[]> {
    const out: StoredFile[] = [];
    for (const path of await this.walk()) {
      if (path.endsWith(PARTIAL) || path.endsWith(PARTIAL_INFO) || /\.tmp-\d+$/.test(path)) continue;
      const hit = await this.get(this.targetOf(path).url).catch(() => null);
      if (hit) out.push(hit.info);
    }
    return out;
  }

  async getPartial(url: string) {
    const path = this.pathOf(url);
    const meta = await readFile(path + PARTIAL_INFO, 'utf8').catch(() => null);
    const bytes = await readFile(path + PARTIAL).catch(() => null);
    if (!meta || !bytes) return null;
    try {
      const info = JSON.parse(meta) as PartialFile;
      return { info: { ...info, offset: bytes.byteLength }, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    } catch {
      return null;
    }
  }

  async appendPartial(info: PartialFile, chunk: Uint8Array): Promise<void> {
    const path = this.pathOf(info.url);
    await mkdir(dirname(path), { recursive: true });
    const have = (await stat(path + PARTIAL).catch(() => null))?.size ?? 0;
    if (have > info.offset) await truncate(path + PARTIAL, info.offset);
    else if (have < info.offset) throw new Error(`${path}${PARTIAL} holds ${have} bytes, not the ${info.offset} the download continues from`);
    await writeFile(path + PARTIAL_INFO, JSON.stringify({ ...info, offset: 0 }));
    await appendFile(path + PARTIAL, chunk);
  }

  async deletePartial(url: string): Promise<void> {
    const path = this.pathOf(url);
    await rm(path + PARTIAL, { force: true });
    await rm(path + PARTIAL_INFO, { force: true });
  }

  async listPartials(): Promise<PartialFile[]> {
    const out: PartialFile[] = [];
    for (const path of await this.walk()) {
      if (!path.endsWith(PARTIAL)) continue;
      const partial = await this.getPartial(this.targetOf(path.slice(0, -PARTIAL.length)).url).catch(() => null);
      if (partial) out.push(partial.info);
    }
    return out;
  }

  private async walk(dir = this.dir): Promise<string[]> {
    if (!existsSync(dir)) return [];
    const out: string[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) out.push(...(await this.walk(path)));
      else if (entry.isFile() && relative(this.dir, path).split(sep)[2] === 'resolve') out.push(path);
    }
    return out;
  }
}
