/**
 * "Open model folder": a catalogue model's files from disk (a USB stick at a
 * booth, a folder `npm run models:pull` filled) go into the download store
 * under the URLs the app would fetch them from, so choosing the model then
 * finds everything stored and loads it without a network.
 *
 * The folder may hold `{owner}/{name}/resolve/{revision}/...` (what
 * models:pull writes), `{owner}/{name}/...`, or just the repo's own files
 * (`config.json`, `onnx/...`): the model is known by its repo id in the paths,
 * else by config.json's `model_type`.
 */
import { sha256Hex } from '../engine/package';
import { CATALOGUE, modelFiles, type DeviceKind, type HubModel } from './catalogue';
import type { FileStore } from '../files/file-store';
import { hubFile } from './catalogue';

/** A file picked with its path inside the chosen folder (`File.webkitRelativePath`). */
export interface FolderFile {
  path: string;
  read(): Promise<Uint8Array>;
}

export class FolderError extends Error {
  name = 'FolderError';
}

const DEVICES: DeviceKind[] = ['wasm', 'webgpu', 'webgpu-f16'];
const norm = (path: string) => path.replace(/\\/g, '/').replace(/^\/+/, '');

interface Found {
  model: HubModel;
  /** Folder prefix (with a trailing slash, or '') under which the repo's files lie. */
  base: string;
}

/** By a path naming the repo: `.../{owner}/{name}/resolve/{revision}/file` or `.../{owner}/{name}/file`. */
function byPath(paths: string[]): Found[] {
  const found: Found[] = [];
  for (const model of CATALOGUE) {
    const name = model.id.split('/')[1];
    for (const marker of [`${model.id}/resolve/${model.revision}/`, `${model.id}/`, `${name}/resolve/${model.revision}/`, `${name}/`]) {
      const hit = paths.find((p) => `/${p}`.endsWith(`/${marker}config.json`));
      if (hit) {
        found.push({ model, base: hit.slice(0, hit.length - 'config.json'.length) });
        break;
      }
    }
  }
  return found;
}

/** By config.json's model_type, for a folder holding just the repo's files. */
async function byConfig(files: FolderFile[]): Promise<Found[]> {
  const configs = files.filter((f) => f.path === 'config.json' || f.path.endsWith('/config.json')).sort((a, b) => a.path.length - b.path.length);
  const found: Found[] = [];
  for (const config of configs) {
    let json: { model_type?: string; text_config?: { hidden_size?: number } };
    try {
      json = JSON.parse(new TextDecoder().decode(await config.read()));
    } catch {
      continue;
    }
    const base = config.path.slice(0, config.path.length - 'config.json'.length);
    const type = json.model_type;
    const only = CATALOGUE.find((m) => m.architecture === type && type !== 'smolvlm');
    if (only) found.push({ model: only, base });
    else if (type === 'idefics3' || type === 'smolvlm') {
      // The two SmolVLMs share file names; the real 500M has a 960-wide text model, the 256M a 576-wide one.
      const smol = CATALOGUE.filter((m) => m.architecture === 'smolvlm');
      const wide = (json.text_config?.hidden_size ?? 0) >= 960 || /500M/i.test(base);
      found.push({ model: (wide ? smol.find((m) => /500M/.test(m.id)) : smol.find((m) => /256M/.test(m.id))) ?? smol[0], base });
    }
  }
  return found;
}

export interface OpenedFolder {
  model: HubModel;
  files: string[];
  bytes: number;
}

/**
 * Finds the catalogue model in `files` and puts every file of it that is
 * present (for any device kind) into `store` under the URL the app downloads
 * it from. Throws a FolderError saying what is wrong: no catalogue model, or
 * which files are missing.
 */
export async function openModelFolder(
  input: FolderFile[],
  o: { store: FileStore; endpoint: (model: HubModel) => Promise<string> },
): Promise<OpenedFolder> {
  const files = input.map((f) => ({ ...f, path: norm(f.path) }));
  const found = [...byPath(files.map((f) => f.path)), ...(await byConfig(files))];
  if (found.length === 0) {
    throw new FolderError(
      `This folder holds no model from the catalogue: it needs a config.json of ${CATALOGUE.map((m) => m.name).join(', ')} ` +
        `(the repo's files, or a folder \`npm run models:pull\` filled, with ${CATALOGUE[0].id}/resolve/${CATALOGUE[0].revision}/ inside).`,
    );
  }
  let best: { found: Found; missing: string[]; device: DeviceKind } | null = null;
  for (const f of found) {
    const here = new Set(files.filter((x) => x.path.startsWith(f.base)).map((x) => x.path.slice(f.base.length)));
    for (const device of DEVICES) {
      const missing = modelFiles(f.model, device).filter((file) => !here.has(file));
      if (!best || missing.length < best.missing.length) best = { found: f, missing, device };
    }
  }
  const { found: chosen, missing, device } = best!;
  if (missing.length > 0) {
    throw new FolderError(
      `The folder holds ${chosen.model.name} but lacks ${missing.join(', ')} (needed on ${device}). ` +
        `Pull it again with \`npm run models:pull -- ${chosen.model.id}\` and open the folder it wrote.`,
    );
  }
  const { model, base } = chosen;
  const wanted = new Set(DEVICES.flatMap((d) => modelFiles(model, d)));
  const endpoint = await o.endpoint(model);
  const stored: string[] = [];
  let bytes = 0;
  for (const f of files) {
    const file = f.path.slice(base.length);
    if (!f.path.startsWith(base) || !wanted.has(file)) continue;
    const data = await f.read();
    const target = hubFile(model.id, file, { endpoint, revision: model.revision });
    await o.store.deletePartial(target.url);
    await o.store.put({ ...target, size: data.byteLength, sha256: await sha256Hex(data), verified: 'size' }, data);
    stored.push(file);
    bytes += data.byteLength;
  }
  return { model, files: stored, bytes };
}
