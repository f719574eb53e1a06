/**
 * A local stand-in for the Hugging Face Hub's file endpoint, for tests that
 * cannot reach the Hub: `{root}/{owner}/{name}/{file}` is served at
 * `/{owner}/{name}/resolve/{revision}/{file}` (any revision) with the headers
 * the Hub sends, plus switches that break downloads the ways networks do.
 *
 * "LFS" files — *.onnx, *.onnx_data, *.safetensors, *.bin, *.gguf, or any
 * file of 1 MiB or more — carry `X-Linked-Etag: "<sha256>"`, `X-Linked-Size`
 * and an ETag equal to the sha256, as the Hub publishes them. Other files get
 * git's blob sha1 as ETag (40 hex digits), so clients cannot read a sha256 off
 * them. Unlike the Hub, LFS files are served directly, not by a 302 to a CDN.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LFS_EXTENSIONS = ['.onnx', '.onnx_data', '.safetensors', '.bin', '.gguf'];
export const LFS_MIN_BYTES = 1 << 20;

export interface HubRequest {
  method: string;
  path: string;
  range: string | null;
  status: number;
}

export interface HubServer {
  /** `http://127.0.0.1:PORT`, the endpoint a client puts before `/{repo}/resolve/...`. */
  readonly url: string;
  readonly port: number;
  /** Every request answered, oldest first (OPTIONS preflights included). */
  readonly log: HubRequest[];
  /** Destroys the socket after `bytes` body bytes of the next GET of a matching file (every such GET with `always`). */
  dropAfter(bytes: number, options?: { file?: string; always?: boolean }): void;
  /** Flips one byte (the file's middle one) in every response for a matching file; headers keep the true hash. */
  corrupt(file: string): void;
  /** Sends bodies in `chunkBytes` pieces with `delayMs` between them, so progress can be watched; null: full speed. */
  throttle(options: { chunkBytes: number; delayMs: number } | null): void;
  /** false: ignore Range headers and answer 200 with the whole file, as some proxies do. */
  acceptRanges(on: boolean): void;
  /** Clears every switch above and the log. */
  reset(): void;
  /** Closes the port and every open connection; `start()` listens on the same port again. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

interface FileMeta {
  size: number;
  mtimeMs: number;
  lfs: boolean;
  etag: string;
}

/** `file` names a file as `owner/name/path`, or by any trailing part of that (`model.onnx`). */
const matches = (key: string, file: string | undefined) => file === undefined || key === file || key.endsWith(`/${file}`);

const EXPOSED = [
  'Accept-Ranges',
  'Content-Length',
  'Content-Range',
  'ETag',
  'X-Linked-Etag',
  'X-Linked-Size',
  'X-Repo-Commit',
  'X-Error-Code',
  'X-Error-Message',
].join(', ');

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': EXPOSED,
  // The app page is cross-origin isolated (COEP require-corp).
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

/** Serves `roots` (searched in order) on 127.0.0.1 at a random port. */
export async function startHubServer(roots: string | string[]): Promise<HubServer> {
  const dirs = Array.isArray(roots) ? roots : [roots];
  const metas = new Map<string, FileMeta>();
  const log: HubRequest[] = [];
  let drop: { bytes: number; file?: string; always: boolean } | null = null;
  const corrupted = new Set<string>();
  let pace: { chunkBytes: number; delayMs: number } | null = null;
  let ranges = true;

  function find(repo: string, file: string): string | null {
    for (const dir of dirs) {
      const path = normalize(join(dir, repo, file));
      if (!path.startsWith(normalize(join(dir, repo)) + sep)) return null;
      if (existsSync(path) && statSync(path).isFile()) return path;
    }
    return null;
  }

  /** Hashes once per file version: tests may serve a real model of hundreds of MB. */
  function meta(path: string): FileMeta {
    const st = statSync(path);
    const cached = metas.get(path);
    if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return cached;
    const bytes = readFileSync(path);
    const lfs = LFS_EXTENSIONS.some((ext) => path.endsWith(ext)) || st.size >= LFS_MIN_BYTES;
    const etag = lfs
      ? createHash('sha256').update(bytes).digest('hex')
      : createHash('sha1').update(`blob ${st.size}\0`).update(bytes).digest('hex');
    const m = { size: st.size, mtimeMs: st.mtimeMs, lfs, etag };
    metas.set(path, m);
    return m;
  }

  function error(res: ServerResponse, status: number, code: string, message: string): void {
    const body = JSON.stringify({ error: message });
    res.writeHead(status, {
      ...CORS,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'X-Error-Code': code,
      'X-Error-Message': message,
    });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...CORS,
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': 'Range, If-Range, Authorization, Content-Type',
        'Access-Control-Max-Age': '600',
      });
      return void res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return error(res, 405, 'MethodNotAllowed', 'Method not allowed');
    const m = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!m) return error(res, 404, 'EntryNotFound', 'Entry not found');
    const [owner, name, , file] = m.slice(1).map(decodeURIComponent);
    if ([owner, name].some((part) => part === '.' || part === '..')) return error(res, 404, 'EntryNotFound', 'Entry not found');
    const repo = `${owner}/${name}`;
    if (!dirs.some((dir) => existsSync(join(dir, repo)))) {
      // What the Hub answers an anonymous client for a missing (or private) repo.
      return error(res, 401, 'RepoNotFound', `Repository not found for url: ${url.pathname}`);
    }
    const path = find(repo, file);
    if (!path) return error(res, 404, 'EntryNotFound', 'Entry not found');
    const { size, lfs, etag } = meta(path);
    const key = `${repo}/${file}`;

    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = ranges ? /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '') : null;
    if (range && (range[1] || range[2])) {
      if (range[1]) {
        start = Number(range[1]);
        if (range[2]) end = Math.min(Number(range[2]), size - 1);
      } else start = Math.max(0, size - Number(range[2])); // suffix: the last N bytes
      if (start >= size || start > end) {
        res.writeHead(416, { ...CORS, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
        return void res.end();
      }
      status = 206;
    }
    const headers: Record<string, string | number> = {
      ...CORS,
      'Content-Type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      'Content-Length': end - start + 1,
      'Accept-Ranges': 'bytes',
      ETag: `"${etag}"`,
      'X-Repo-Commit': createHash('sha1').update(repo).digest('hex'),
    };
    if (lfs) Object.assign(headers, { 'X-Linked-Etag': `"${etag}"`, 'X-Linked-Size': size });
    if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return void res.end();

    let dropAt: number | null = null;
    if (drop && matches(key, drop.file)) {
      dropAt = drop.bytes;
      if (!drop.always) drop = null;
    }
    const flip = [...corrupted].some((f) => matches(key, f)) ? size >> 1 : -1;
    await sendBody(res, path, start, end, flip, dropAt);
  }

  async function sendBody(res: ServerResponse, path: string, start: number, end: number, flip: number, dropAt: number | null) {
    const stream = createReadStream(path, { start, end, highWaterMark: pace?.chunkBytes ?? 64 * 1024 });
    // A client that hangs up never flushes our writes: stop waiting for them then.
    const closed = new Promise<void>((resolve) => res.once('close', resolve));
    const write = (chunk: Buffer) => Promise.race([new Promise<void>((resolve) => res.write(chunk, () => resolve())), closed]);
    let offset = start;
    let sent = 0;
    try {
      for await (const piece of stream) {
        if (res.destroyed) return;
        let chunk = piece as Buffer;
        if (flip >= offset && flip < offset + chunk.length) {
          chunk = Buffer.from(chunk);
          chunk[flip - offset] ^= 0xff;
        }
        if (dropAt !== null && sent + chunk.length > dropAt) {
          if (dropAt > sent) await write(chunk.subarray(0, dropAt - sent));
          // Let the client read the bytes before the connection dies mid-body: Chromium drops
          // what its reader has not taken yet when the fetch errors, and on a loaded 2-core CI
          // machine 20 ms was not enough (the retry then asked for the whole file again).
          await sleep(500);
          res.socket?.destroy();
          return;
        }
        await write(chunk);
        offset += chunk.length;
        sent += chunk.length;
        if (pace?.delayMs) await sleep(pace.delayMs);
      }
      res.end();
    } finally {
      stream.destroy();
    }
  }

  const server = createServer((req, res) => {
    log.push({
      method: req.method ?? '',
      path: new URL(req.url ?? '/', 'http://hub').pathname,
      range: req.headers.range ?? null,
      // Read when asked: set by writeHead, before the client sees a byte.
      get status() {
        return res.statusCode;
      },
    });
    handle(req, res).catch((err) => {
      if (!res.headersSent) error(res, 500, 'InternalError', String(err));
      else res.destroy();
    });
  });

  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();

  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    log,
    dropAfter(bytes, options = {}) {
      drop = { bytes, file: options.file, always: options.always ?? false };
    },
    corrupt(file) {
      corrupted.add(file);
    },
    throttle(options) {
      pace = options;
    },
    acceptRanges(on) {
      ranges = on;
    },
    reset() {
      drop = null;
      corrupted.clear();
      pace = null;
      ranges = true;
      log.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    start: () => (server.listening ? Promise.resolve() : listen()),
  };
}
