/**
 * `npm run models:pull` against the local Hub stand-in: the files land in the
 * Hub's URL layout with the published sizes and hashes, a dropped connection
 * resumes (within a pull, and in the next pull after one that gave up), an
 * unknown id lists the catalogue, and an unreachable server says so.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../scripts/models-pull';
import { CATALOGUE, findHubModel, modelFiles } from '../../src/hub/catalogue';
import { HUB_FIXTURES, type HubFixtures } from '../support/build-hub-fixtures';
import { startHubServer, type HubServer } from '../support/hub-server';

const ID = 'HuggingFaceTB/SmolVLM-256M-Instruct';
const fixtures: HubFixtures = JSON.parse(readFileSync(join(HUB_FIXTURES, 'fixtures.json'), 'utf8'));
const published = (path: string) => fixtures.repos[ID].files.find((f) => f.path === path)!;

let hub: HubServer;
let out: string;

async function pull(...args: string[]) {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await main(args, { log: (l) => lines.push(l), error: (l) => errors.push(l) });
  return { code, out: lines.join('\n'), err: errors.join('\n') };
}

// The catalogue's pin: a commit SHA where one was published.
const dir = () => join(out, ID, 'resolve', findHubModel(ID)!.revision);

beforeAll(async () => {
  hub = await startHubServer(HUB_FIXTURES);
});
afterAll(async () => {
  await hub?.stop();
});
beforeEach(() => {
  hub.reset();
  out = mkdtempSync(join(tmpdir(), 'models-pull-'));
  return () => rmSync(out, { recursive: true, force: true });
});

describe('models:pull', () => {
  it('pulls the WASM files of a stand-in repo, verified, into {out}/{repo}/resolve/{revision}/', async () => {
    const r = await pull(ID, '--endpoint', hub.url, '--out', out, '--device', 'wasm');
    expect(r.code, r.err).toBe(0);
    const files = modelFiles(findHubModel(ID)!, 'wasm');
    for (const file of files) {
      const bytes = readFileSync(join(dir(), file));
      expect(bytes.byteLength, file).toBe(published(file).size);
      expect(createHash('sha256').update(bytes).digest('hex'), file).toBe(published(file).sha256);
      expect(r.out).toContain(file);
    }
    // Only what the device needs, and nothing half-written left behind.
    expect(readdirSync(join(dir(), 'onnx')).sort()).toEqual(files.filter((f) => f.startsWith('onnx/')).map((f) => f.slice(5)).sort());
    expect(r.out).toMatch(new RegExp(`Done: ${files.length} files, .* ${files.length} downloaded \\(3 verified by sha256, ${files.length - 3} by size\\)`));

    // Pulled again: nothing fetched.
    hub.reset();
    const again = await pull(ID, '--endpoint', hub.url, '--out', out, '--device', 'wasm');
    expect(again.code).toBe(0);
    expect(again.out).toContain(`${files.length} already there`);
    expect(hub.log.filter((l) => l.method === 'GET')).toHaveLength(0);
  });

  it('pulls every device kind by default, each file once', async () => {
    const r = await pull(ID, `--endpoint=${hub.url}`, `--out=${out}`);
    expect(r.code, r.err).toBe(0);
    const model = findHubModel(ID)!;
    const all = new Set(['webgpu-f16', 'webgpu', 'wasm'].flatMap((d) => modelFiles(model, d as 'wasm')));
    for (const file of all) expect(statSync(join(dir(), file)).size, file).toBe(published(file).size);
    expect(hub.log.filter((l) => l.method === 'GET')).toHaveLength(all.size);
  });

  it('resumes a dropped connection with Range, and the next pull resumes one that gave up', async () => {
    const decoder = published('onnx/decoder_model_merged_q4.onnx');
    const half = Math.floor(decoder.size / 2);
    hub.dropAfter(half, { file: decoder.path });
    const r = await pull(ID, '--endpoint', hub.url, '--out', out, '--device', 'wasm');
    expect(r.code, r.err).toBe(0);
    const gets = hub.log.filter((l) => l.method === 'GET' && l.path.endsWith(decoder.path));
    expect(gets.map((g) => g.range)).toEqual([null, `bytes=${half}-`]);
    expect(statSync(join(dir(), decoder.path)).size).toBe(decoder.size);

    // A pull that gives up keeps the bytes as *.partial; the next one asks only for the rest.
    rmSync(out, { recursive: true, force: true });
    hub.reset();
    hub.dropAfter(half, { file: decoder.path, always: true });
    const failed = await pull(ID, '--endpoint', hub.url, '--out', out, '--device', 'wasm', '--retries', '0');
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/Network error: .*decoder_model_merged_q4\.onnx/);
    expect(failed.err).toMatch(/Run the same command again to resume/);
    expect(existsSync(join(dir(), decoder.path))).toBe(false);
    expect(statSync(join(dir(), `${decoder.path}.partial`)).size).toBe(half);

    hub.reset();
    const resumed = await pull(ID, '--endpoint', hub.url, '--out', out, '--device', 'wasm');
    expect(resumed.code, resumed.err).toBe(0);
    expect(hub.log.filter((l) => l.method === 'GET' && l.path.endsWith(decoder.path)).map((g) => g.range)).toEqual([`bytes=${half}-`]);
    const bytes = readFileSync(join(dir(), decoder.path));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(decoder.sha256);
    expect(existsSync(join(dir(), `${decoder.path}.partial`))).toBe(false);
    expect(existsSync(join(dir(), `${decoder.path}.partial.json`))).toBe(false);
  });

  it('lists the catalogue for an unknown id', async () => {
    const r = await pull('someone/NotAModel', '--endpoint', hub.url, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toContain('someone/NotAModel is not in the model catalogue');
    for (const m of CATALOGUE) expect(r.err).toContain(m.id);
    expect(readdirSync(out)).toEqual([]);
  });

  it('says so when the server cannot be reached', async () => {
    const r = await pull(ID, '--endpoint', 'http://127.0.0.1:1', '--out', out, '--device', 'wasm', '--retries', '0');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Network error: could not reach http:\/\/127\.0\.0\.1:1/);
  });
});
