/**
 * `npm run models:pull -- <id> [--endpoint URL] [--revision main] [--out public/models] [--device all|wasm|webgpu|webgpu-f16]`
 *
 * Downloads a catalogue model's files, verified, into
 * `{out}/{repo}/resolve/{revision}/{file}`: a build made afterwards serves
 * them from its own origin (booth mode: no Hub, no internet). By default the
 * files for every device kind, so the booth works on any laptop. An
 * interrupted pull resumes where it stopped.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CATALOGUE, downloadEstimate, findHubModel, modelFiles, type DeviceKind } from '../src/hub/catalogue';
import { downloadFiles } from '../src/files/download-list';
import { DownloadError } from '../src/files/file-store';
import { HUB_ENDPOINT, hubFile } from '../src/hub/catalogue';
import { FsFileStore } from '../src/node/fs-hub-store';
import { formatBytes, percent } from '../src/format';

const DEVICES: DeviceKind[] = ['webgpu-f16', 'webgpu', 'wasm'];

const USAGE = `Usage: npm run models:pull -- <id> [--endpoint URL] [--revision main] [--out public/models] [--device all|wasm|webgpu|webgpu-f16]`;

const catalogueList = () => CATALOGUE.map((m) => `  ${m.id}  (${m.name}; on WASM ${downloadEstimate(m, 'wasm')})`).join('\n');

export interface PullIo {
  log(line: string): void;
  error(line: string): void;
}

interface Options {
  id: string;
  endpoint: string;
  revision: string | null;
  out: string;
  device: DeviceKind | 'all';
  retries: number | undefined;
}

function parse(argv: string[]): Options | string {
  const o: Partial<Options> & { out: string; device: Options['device'] } = {
    endpoint: process.env.HF_ENDPOINT || HUB_ENDPOINT,
    revision: null,
    out: 'public/models',
    device: 'all',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value.`);
      return v;
    };
    try {
      if (flag === '--endpoint') o.endpoint = value();
      else if (flag === '--revision') o.revision = value();
      else if (flag === '--out') o.out = value();
      else if (flag === '--retries') o.retries = Number(value());
      else if (flag === '--device') {
        const d = value();
        if (d !== 'all' && !DEVICES.includes(d as DeviceKind)) return `Unknown device "${d}": use all, ${DEVICES.join(', ')}.`;
        o.device = d as Options['device'];
      } else if (flag === '--help' || flag === '-h') return '';
      else if (flag.startsWith('-')) return `Unknown option ${flag}.`;
      else if (o.id) return `One model id at a time (got ${o.id} and ${arg}).`;
      else o.id = arg;
    } catch (error) {
      return (error as Error).message;
    }
  }
  if (!o.id) return 'Which model? Give a catalogue id.';
  return o as Options;
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[], io: PullIo = { log: console.log, error: console.error }): Promise<number> {
  const options = parse(argv);
  if (typeof options === 'string') {
    io.error([options, USAGE, `Models in the catalogue:\n${catalogueList()}`].filter(Boolean).join('\n'));
    return options ? 2 : 0;
  }
  const model = findHubModel(options.id);
  if (!model) {
    io.error(`${options.id} is not in the model catalogue (src/hub/catalogue.ts). Models in the catalogue:\n${catalogueList()}`);
    return 2;
  }
  const revision = options.revision ?? model.revision;
  const devices = options.device === 'all' ? DEVICES : [options.device];
  const files = [...new Set(devices.flatMap((d) => modelFiles(model, d)))];
  const out = resolve(options.out);
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const store = new FsFileStore(out, endpoint);
  const targets = files.map((file) => hubFile(model.id, file, { endpoint, revision }));
  const present = new Set<string>();
  for (const t of targets) if (await store.get(t.url)) present.add(t.file);

  io.log(`Pulling ${model.name} (${model.id} at ${revision}) for ${devices.join(', ')} from ${endpoint}`);
  io.log(`into ${resolve(out, model.id, 'resolve', revision)}: ${files.length} files${present.size ? `, ${present.size} already there` : ''}`);

  let lastFile = '';
  let lastStep = -1;
  try {
    const stored = await downloadFiles(targets, {
      store,
      retries: options.retries,
      onProgress: ({ file, overall }) => {
        if (present.has(file.file)) return;
        if (file.file !== lastFile) {
          lastFile = file.file;
          lastStep = -1;
        }
        // A line at the start, each quarter of a large file, and the end.
        const step = file.total > 0 ? Math.floor(percent(file.loaded, file.total) / 25) : 0;
        if (step === lastStep || (step > 0 && step < 4 && file.total < 1 << 20)) return;
        lastStep = step;
        const n = `[${Math.min(overall.done + (step === 4 ? 0 : 1), overall.count)}/${overall.count}]`;
        io.log(`${n} ${file.file} ${formatBytes(file.loaded)} / ${formatBytes(file.total)} (${percent(file.loaded, file.total)}%) · overall ${percent(overall.loaded, overall.total)}%`);
      },
    });
    const fresh = stored.filter((f) => !present.has(f.file));
    const bytes = stored.reduce((sum, f) => sum + f.size, 0);
    const bySha = fresh.filter((f) => f.verified === 'sha256').length;
    io.log(
      `Done: ${stored.length} files, ${formatBytes(bytes)} in ${resolve(out, model.id, 'resolve', revision)}. ` +
        `${fresh.length} downloaded (${bySha} verified by sha256, ${fresh.length - bySha} by size)` +
        `${present.size ? `, ${present.size} already there` : ''}.`,
    );
    return 0;
  } catch (error) {
    if (error instanceof DownloadError) {
      io.error(`Error: ${error.message}`);
      if (error.kind === 'network') io.error('Run the same command again to resume: the bytes received are kept as *.partial files.');
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
