/** Many files at once: what a download would fetch, fetching it, and what the store holds per model. */
import type { FileProgress } from '../engine/package';
import { downloadFile, remoteFile, type DownloadOptions, type RemoteFile, type RetryOptions } from './download';
import type { FileStore, FileTarget, StoredFile } from './file-store';

export interface ListProgress {
  file: FileProgress;
  overall: { loaded: number; total: number; done: number; count: number };
}

export interface FilePlan {
  t: FileTarget;
  /** Already verified in the store: not fetched again. */
  stored: StoredFile | null;
  /** What the server publishes, asked only for files not stored. */
  remote: RemoteFile | null;
}

/** Per file: the stored copy, or the server's size and hash (HEAD); what a download would fetch. */
export async function planFiles(targets: FileTarget[], o: RetryOptions & { store: FileStore }): Promise<FilePlan[]> {
  const plans: FilePlan[] = [];
  for (const t of targets) {
    const stored = (await o.store.get(t.url))?.info ?? null;
    plans.push({ t, stored, remote: stored ? null : await remoteFile(t, o) });
  }
  return plans;
}

/**
 * Downloads the files one after another (stored ones are not fetched again).
 * Sizes are asked first, so the overall total is known from the start.
 */
export async function downloadFiles(
  targets: FileTarget[],
  o: Omit<DownloadOptions, 'onProgress'> & { onProgress?: (progress: ListProgress) => void },
): Promise<StoredFile[]> {
  const plans = await planFiles(targets, o);
  const sizes = plans.map((p) => p.stored?.size ?? p.remote?.size ?? 0);
  const overall = { loaded: 0, total: sizes.reduce((a, b) => a + b, 0), done: 0, count: targets.length };
  const out: StoredFile[] = [];
  for (const { t, stored, remote } of plans) {
    const base = overall.loaded;
    const report = (file: FileProgress) => {
      overall.loaded = base + file.loaded;
      o.onProgress?.({ file, overall: { ...overall } });
    };
    if (stored) report({ file: t.file, loaded: stored.size, total: stored.size });
    const info = stored ?? (await downloadFile(t, { ...o, remote: remote!, onProgress: report })).info;
    overall.loaded = base + info.size;
    overall.done += 1;
    o.onProgress?.({ file: { file: t.file, loaded: info.size, total: info.size }, overall: { ...overall } });
    out.push(info);
  }
  return out;
}

export interface CachedModel {
  repo: string;
  files: StoredFile[];
  bytes: number;
  /** Bytes of unfinished downloads kept for resuming. */
  partialBytes: number;
}

/** What the store holds, per repo: for a "downloaded models" list with sizes. */
export async function cachedModels(store: FileStore): Promise<CachedModel[]> {
  const models = new Map<string, CachedModel>();
  const model = (repo: string) => models.get(repo) ?? models.set(repo, { repo, files: [], bytes: 0, partialBytes: 0 }).get(repo)!;
  for (const f of await store.list()) {
    model(f.repo).files.push(f);
    model(f.repo).bytes += f.size;
  }
  for (const p of await store.listPartials()) model(p.repo).partialBytes += p.offset;
  return [...models.values()].sort((a, b) => a.repo.localeCompare(b.repo));
}

/** Deletes every stored and partial file of `repo`. */
export async function deleteModel(store: FileStore, repo: string): Promise<void> {
  for (const f of await store.list()) if (f.repo === repo) await store.delete(f.url);
  for (const p of await store.listPartials()) if (p.repo === repo) await store.deletePartial(p.url);
}
