/**
 * What the store's slices share outside the state: the one model client, the
 * image files of this visit (not rendered, so not state), and how an error reads.
 */
import { ModelClient } from '../client/model-client';
import type { Backend } from '../engine/runtime';

export const client = new ModelClient();

/** The files behind the images of this visit, by image key. */
export const blobs = new Map<string, Blob>();

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const backendLabel = (backend: Backend) =>
  backend.kind === 'webgpu' ? 'WebGPU' : `WASM, ${backend.threads} thread${backend.threads > 1 ? 's' : ''}`;

/** A counter for work that a newer call supersedes: `current()` is false once another began. */
export function supersedable(): () => () => boolean {
  let latest = 0;
  return () => {
    const mine = ++latest;
    return () => mine === latest;
  };
}
