/**
 * What the store's slices share outside the state: the one model client, the
 * image files of this visit (not rendered, so not state), and how an error reads.
 */
import { ModelClient } from '../client/model-client';

export const client = new ModelClient();

/** The files behind the images of this visit, by image key. */
export const blobs = new Map<string, Blob>();

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A counter for work that a newer call supersedes: `current()` is false once another began. */
export function supersedable(): () => () => boolean {
  let latest = 0;
  return () => {
    const mine = ++latest;
    return () => mine === latest;
  };
}
