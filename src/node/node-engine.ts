/**
 * The engine in Node: the same GvtEngine the model worker runs, reading a
 * package folder from disk. Used by tests, parity checks and
 * the eval command.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { RgbaImage } from '../engine/image';
import { GvtEngine } from '../engine/gvt-engine';
import type { LanguageModel } from '../engine/language-model';
import type { ModelManifest } from '../engine/manifest';
import type { PackageSource } from '../engine/package';
import { configureRuntime, detectCapabilities, type Backend } from '../engine/runtime';
import type { VisionTokenizer } from '../engine/vision';

export function folderSource(dir: string): PackageSource {
  return {
    describe: (path) => join(dir, path),
    read: async (path) => new Uint8Array(await readFile(join(dir, path))),
  };
}

export interface NodeEngine {
  /** The engine the worker runs, for whole answers (TaskRequest in, answer out). */
  engine: GvtEngine;
  manifest: ModelManifest;
  vision: VisionTokenizer;
  llm: LanguageModel;
  release(): Promise<void>;
}

const NODE_BACKEND: Backend = { kind: 'wasm', threads: 1 };

/** `source`: where the files come from, when not straight from `dir` (a test that edits the manifest). */
export async function loadEngine(dir: string, source: PackageSource = folderSource(dir)): Promise<NodeEngine> {
  configureRuntime(NODE_BACKEND);
  const engine = new GvtEngine(source, NODE_BACKEND, await detectCapabilities());
  await engine.load();
  const { manifest, vision, llm } = engine.parts();
  return { engine, manifest, vision, llm, release: () => engine.release() };
}

export async function readPng(path: string): Promise<RgbaImage> {
  const png = PNG.sync.read(await readFile(path));
  return { width: png.width, height: png.height, data: png.data };
}
