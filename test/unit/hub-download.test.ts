/**
 * Hub downloads in Node against the local Hub stand-in: progress, resume after
 * a dropped connection or a cancel, integrity, 404s, a stopped server, and
 * lists of files. Node has no Cache Storage, so the store here is in memory
 * (the Cache Storage one is tested in Chromium: test/browser/hub-cache-store.test.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadFile } from '../../src/files/download';
import { cachedModels, deleteModel, downloadFiles } from '../../src/files/download-list';
import { DownloadError, type FileStore, type PartialFile, type StoredFile } from '../../src/files/file-store';
import { hubFile } from '../../src/hub/catalogue';
import { startHubServer, type HubServer } from '../support/hub-server';

/** The FileStore contract in memory, as a Node tool would use it. */
class MemoryStore implements FileStore {
  files = new Map<string, { info: StoredFile; bytes: Uint8Array }>();
  partials = new Map<string, { info: PartialFile; bytes: Uint8Array }>();
  async get(url: string) {
    const hit = this.files.get(url);
    return hit ? { info: hit.info, bytes: async () => hit.bytes, blob: async () => new Blob([hit.bytes as Uint8Array<ArrayBuffer>]) } : null;
  }
  async put(info: StoredFile, bytes: Uint8Array) {
    this.files.set(info.url, { info, bytes });
  }
  async delete(url: string) {
    this.files.delete(url);
  }
  async list() {
    return [...this.files.values()].map((f) => f.info);
  }
  async getPartial(url: string) {
    return this.partials.get(url) ?? null;
  }
  async appendPartial(info: PartialFile, chunk: Uint8Array) {
    const kept = this.partials.get(info.url)?.bytes ?? new Uint8Array(0);
    if (kept.byteLength !== info.offset) throw new Error(`append at ${info.offset}, kept ${kept.byteLength}`);
    const bytes = new Uint8Array(kept.byteLength + chunk.byteLength);
    bytes.set(kept);
    bytes.set(chunk, kept.byteLength);
    this.partials.set(info.url, { info: { ...info, offset: bytes.byteLength }, bytes });
  }
  async deletePartial(url: string) {
    this.partials.delete(url);
  }
  async listPartials() {
    return [...this.partials.values()].map((p) => p.info);
  }
}

const REPO = 'test-org/tiny-vlm';
const OTHER = 'test-org/other';
const root = mkdtempSync(join(tmpdir(), 'hub-'));
const model = randomBytes(300_000);
const data = randomBytes(200_000);
const config = Buffer.from(JSON.stringify({ model_type: 'tiny', hidden_size: 64 }));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let hub: HubServer;
let store: MemoryStore;
const file = (name: string, repo = REPO) => hubFile(repo, name, { endpoint: hub.url });
const gets = () => hub.log.filter((r) => r.method === 'GET');
const fast = { retryDelayMs: 5 };

beforeAll(async () => {
  mkdirSync(join(root, REPO, 'onnx'), { recursive: true });
  writeFileSync(join(root, REPO, 'onnx', 'model.onnx'), model);
  writeFileSync(join(root, REPO, 'onnx', 'model.onnx_data'), data);
  writeFileSync(join(root, REPO, 'config.json'), config);
  mkdirSync(join(root, OTHER), { recursive: true });
  writeFileSync(join(root, OTHER, 'model.onnx'), model);
  hub = await startHubServer(root);
});
afterAll(async () => {
  await hub?.stop();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  hub.reset();
  store = new MemoryStore();
});

describe('the hub server', () => {
  it('publishes sha256 and size for LFS files, a git sha1 ETag otherwise, and 206 for ranges', async () => {
    const head = await fetch(file('onnx/model.onnx').url, { method: 'HEAD' });
    expect(head.headers.get('x-linked-etag')).toBe(`"${sha(model)}"`);
    expect(head.headers.get('x-linked-size')).toBe(String(model.length));
    expect(head.headers.get('access-control-expose-headers')).toContain('X-Linked-Etag');
    const plain = await fetch(file('config.json').url, { method: 'HEAD' });
    expect(plain.headers.get('x-linked-etag')).toBeNull();
    expect(plain.headers.get('etag')).toMatch(/^"[0-9a-f]{40}"$/);
    const part = await fetch(file('onnx/model.onnx').url, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${model.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(model.subarray(10, 20));
    expect((await fetch(file('onnx/model.onnx').url, { headers: { Range: `bytes=${model.length}-` } })).status).toBe(416);
    const missing = await fetch(file('nope.onnx').url);
    expect([missing.status, missing.headers.get('x-error-code'), await missing.json()]).toEqual([404, 'EntryNotFound', { error: 'Entry not found' }]);
  });
});

describe('downloadFile', () => {
  it('reports progress up to the total and stores the file with its verified sha256', async () => {
    hub.throttle({ chunkBytes: 16_384, delayMs: 2 });
    const events: number[] = [];
    const { info, bytes } = await downloadFile(file('onnx/model.onnx'), {
      store,
      onProgress: (p) => {
        expect(p.total).toBe(model.length);
        events.push(p.loaded);
      },
    });
    expect(sha(bytes)).toBe(sha(model));
    expect(events.length).toBeGreaterThan(5);
    expect(events).toEqual([...events].sort((a, b) => a - b));
    expect(events.at(-1)).toBe(model.length);
    expect(info).toMatchObject({ repo: REPO, file: 'onnx/model.onnx', size: model.length, sha256: sha(model), verified: 'sha256' });
    expect((await store.get(info.url))?.info).toEqual(info);
    expect(gets().map((r) => r.range)).toEqual([null]);
  });

  it('checks a file without a published sha256 by size, and still records its sha256', async () => {
    const { info } = await downloadFile(file('config.json'), { store });
    expect(info).toMatchObject({ size: config.length, sha256: sha(config), verified: 'size' });
  });

  it('resumes a dropped connection with a Range request, and the result verifies', async () => {
    hub.dropAfter(100_000, { file: 'model.onnx' });
    const { bytes, info } = await downloadFile(file('onnx/model.onnx'), { store, ...fast });
    expect(gets().map((r) => r.range)).toEqual([null, 'bytes=100000-']);
    expect(gets()[1].status).toBe(206);
    expect(sha(bytes)).toBe(sha(model));
    expect(info.verified).toBe('sha256');
    expect(store.partials.size).toBe(0);
  });

  it('starts over when the server answers a Range request with the whole file', async () => {
    hub.acceptRanges(false);
    hub.dropAfter(100_000, { file: 'model.onnx' });
    const { bytes } = await downloadFile(file('onnx/model.onnx'), { store, ...fast });
    expect(gets().map((r) => [r.range, r.status])).toEqual([
      [null, 200],
      ['bytes=100000-', 200],
    ]);
    expect(sha(bytes)).toBe(sha(model));
  });

  it('gives up after its retries when every attempt drops without progress', async () => {
    hub.dropAfter(0, { file: 'model.onnx', always: true });
    const error = await downloadFile(file('onnx/model.onnx'), { store, retries: 2, ...fast }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/connection dropped while downloading test-org\/tiny-vlm\/onnx\/model\.onnx and 2 retries failed/);
    expect(gets()).toHaveLength(3);
  });

  it('refuses a corrupted byte with a clear message and stores nothing', async () => {
    hub.corrupt('model.onnx');
    const error = await downloadFile(file('onnx/model.onnx'), { store, checkpointBytes: 50_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error.kind).toBe('integrity');
    expect(error.message).toContain('test-org/tiny-vlm/onnx/model.onnx is damaged');
    expect(error.message).toContain(`the server publishes ${sha(model)}`);
    expect(error.message).toMatch(/its sha256 is [0-9a-f]{64}/);
    expect(error.message).toMatch(/download it again/);
    expect(await store.list()).toEqual([]);
    expect(await store.listPartials()).toEqual([]);
  });

  it('keeps the bytes of a cancelled download and resumes from them', async () => {
    hub.throttle({ chunkBytes: 8192, delayMs: 5 });
    const controller = new AbortController();
    const error = await downloadFile(file('onnx/model.onnx'), {
      store,
      signal: controller.signal,
      onProgress: (p) => p.loaded > 60_000 && controller.abort(),
    }).catch((e) => e);
    expect(error.kind).toBe('cancelled');
    expect(error.message).toMatch(/cancelled at .* of 300 kB; download again to resume/);
    const [partial] = await store.listPartials();
    expect(partial.offset).toBeGreaterThan(60_000);
    expect(partial.offset).toBeLessThan(model.length);
    expect(partial.sha256).toBe(sha(model));

    hub.reset();
    const first: number[] = [];
    const { bytes } = await downloadFile(file('onnx/model.onnx'), { store, onProgress: (p) => first.push(p.loaded) });
    expect(first[0]).toBe(partial.offset);
    expect(gets().map((r) => r.range)).toEqual([`bytes=${partial.offset}-`]);
    expect(sha(bytes)).toBe(sha(model));
    expect(await store.listPartials()).toEqual([]);
  });

  it('throws away a partial download of a file that changed on the server since', async () => {
    const target = file('onnx/model.onnx');
    await store.appendPartial({ ...target, offset: 0, size: model.length, sha256: 'ab'.repeat(32), etag: null }, model.subarray(0, 1000));
    const { bytes } = await downloadFile(target, { store });
    expect(gets().map((r) => r.range)).toEqual([null]);
    expect(sha(bytes)).toBe(sha(model));
  });

  it('names the repo and file of a 404, and the repo when it does not exist', async () => {
    const missing = await downloadFile(file('onnx/missing.onnx'), { store }).catch((e) => e);
    expect(missing.kind).toBe('not-found');
    expect(missing.message).toBe('onnx/missing.onnx was not found in test-org/tiny-vlm at revision main (HTTP 404 EntryNotFound). Check the file name and revision.');
    const noRepo = await downloadFile(file('config.json', 'nobody/nothing'), { store }).catch((e) => e);
    expect(noRepo.kind).toBe('not-found');
    expect(noRepo.message).toMatch(/^Repository nobody\/nothing was not found on http:\/\/127\.0\.0\.1:\d+ \(or it is private or gated/);
  });

  it('says "network" when the server is stopped, and works again once it is back on the same port', async () => {
    await hub.stop();
    try {
      const error = await downloadFile(file('onnx/model.onnx'), { store, retries: 1, ...fast }).catch((e) => e);
      expect(error.kind).toBe('network');
      expect(error.message).toMatch(
        /^Network error: could not reach http:\/\/127\.0\.0\.1:\d+ to download test-org\/tiny-vlm\/onnx\/model\.onnx \(fetch failed: ECONNREFUSED\)\. Check the connection and try again\.$/,
      );
    } finally {
      await hub.start();
    }
    expect((await downloadFile(file('onnx/model.onnx'), { store })).info.verified).toBe('sha256');
  });
});

describe('downloadFiles', () => {
  const names = ['config.json', 'onnx/model.onnx', 'onnx/model.onnx_data'];
  const total = config.length + model.length + data.length;

  it('reports per-file and overall progress, and a second call needs no network', async () => {
    hub.throttle({ chunkBytes: 32_768, delayMs: 1 });
    const overall: number[] = [];
    const perFile = new Map<string, number>();
    const infos = await downloadFiles(
      names.map((n) => file(n)),
      {
        store,
        onProgress: (p) => {
          expect(p.overall.total).toBe(total);
          overall.push(p.overall.loaded);
          perFile.set(p.file.file, p.file.loaded);
        },
      },
    );
    expect(infos.map((i) => i.size)).toEqual([config.length, model.length, data.length]);
    expect(overall).toEqual([...overall].sort((a, b) => a - b));
    expect(overall.at(-1)).toBe(total);
    expect(Object.fromEntries(perFile)).toEqual({ 'config.json': config.length, 'onnx/model.onnx': model.length, 'onnx/model.onnx_data': data.length });

    await hub.stop();
    try {
      const again = await downloadFiles(names.map((n) => file(n)), { store, retries: 0 });
      expect(again).toEqual(infos);
    } finally {
      await hub.start();
    }
  });

  it('lists stored models with their sizes, partial downloads included, and deletes one', async () => {
    await downloadFiles(names.map((n) => file(n)), { store });
    hub.dropAfter(50_000);
    const cut = await downloadFile(file('model.onnx', OTHER), { store, retries: 0 }).catch((e) => e);
    expect(cut.kind).toBe('network');
    expect(await cachedModels(store)).toEqual([
      { repo: OTHER, files: [], bytes: 0, partialBytes: 50_000 },
      { repo: REPO, files: expect.any(Array), bytes: total, partialBytes: 0 },
    ]);
    await deleteModel(store, REPO);
    expect((await cachedModels(store)).map((m) => m.repo)).toEqual([OTHER]);
    await deleteModel(store, OTHER);
    expect(await cachedModels(store)).toEqual([]);
  });
});
