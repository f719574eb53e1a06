/**
 * The engine in Node: the same VisionTokenizer and LanguageModel the workers
 * run, reading a package folder from disk. Used by tests, parity checks and
 * the eval command.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { RgbaImage } from '../engine/image';
import { LanguageModel } from '../engine/language-model';
import type { ModelManifest } from '../engine/manifest';
import { readManifest, readPackageFile, readPackageJson, type PackageSource } from '../engine/package';
import { configureRuntime, type Backend } from '../engine/runtime';
import { VisionTokenizer } from '../engine/vision';

export function folderSource(dir: string): PackageSource {
  return {
    describe: (path) => join(dir, path),
    read: async (path) => new Uint8Array(await readFile(join(dir, path))),
  };
}

export interface NodeEngine {
  manifest: ModelManifest;
  vision: VisionTokenizer;
  llm: LanguageModel;
  release(): Promise<void>;
}

const NODE_BACKEND: Backend = { kind: 'wasm', threads: 1 };

export async function loadEngine(dir: string): Promise<NodeEngine> {
  const source = folderSource(dir);
  const manifest = await readManifest(source);
  configureRuntime(NODE_BACKEND);
  const vision = await VisionTokenizer.load(manifest, await readPackageFile(source, manifest, 'vision_encoder'), NODE_BACKEND);
  const llm = await LanguageModel.load(
    manifest,
    {
      embedTokens: await readPackageFile(source, manifest, 'embed_tokens'),
      decoder: await readPackageFile(source, manifest, 'decoder'),
      tokenizerJson: await readPackageJson(source, manifest, 'tokenizer'),
      tokenizerConfig: await readPackageJson(source, manifest, 'tokenizer_config'),
    },
    NODE_BACKEND,
  );
  return {
    manifest,
    vision,
    llm,
    release: async () => {
      await vision.release();
      await llm.release();
    },
  };
}

export async function readPng(path: string): Promise<RgbaImage> {
  const png = PNG.sync.read(await readFile(path));
  return { width: png.width, height: png.height, data: png.data };
}
