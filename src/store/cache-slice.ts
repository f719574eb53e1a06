import type { StateCreator } from 'zustand';
import { CacheStore, LEGACY_CACHES } from '../files/cache-store';
import { cachedModels, deleteModel, type CachedModel } from '../files/download-list';
import { openModelFolder, type FolderFile } from '../hub/open-folder';
import type { AppState } from './app-store';
import { hubEndpoint } from './model-choice';
import { messageOf } from './shared';

/** What this device keeps of the models, GVT packages and Hub models alike, in the one file store. */
export interface CacheSlice {
  /** Per model (a package's folder or a Hub repo), with its files and sizes. */
  stored: CachedModel[];
  /** False where the page has no Cache Storage (a plain-http page). */
  storageAvailable: boolean;
  refreshCache(): Promise<void>;
  /** Deletes every stored model: the next load downloads again. */
  clearCache(): Promise<void>;
  deleteStoredModel(repo: string): Promise<void>;
  /** Stores a catalogue model's files picked from disk as if downloaded, then chooses it. */
  openModelFolder(files: FolderFile[]): Promise<void>;
}

const available = () => typeof caches !== 'undefined';
const store = available() ? new CacheStore() : null;
/** Files earlier versions kept in caches of their own are read by nothing now: free their space once. */
const legacyRemoved = store ? Promise.all(LEGACY_CACHES.map((name) => caches.delete(name))).catch(() => {}) : Promise.resolve();

export const createCacheSlice: StateCreator<AppState, [], [], CacheSlice> = (set, get) => ({
  stored: [],
  storageAvailable: available(),

  async refreshCache() {
    if (!store) return;
    await legacyRemoved;
    try {
      set({ stored: await cachedModels(store) });
    } catch {
      set({ stored: [], storageAvailable: false });
    }
  },

  async clearCache() {
    try {
      await store?.clear();
    } catch (error) {
      set({ error: `The cache could not be cleared: ${messageOf(error)}` });
    }
    await get().refreshCache();
  },

  async openModelFolder(files) {
    try {
      if (!store) throw new Error('this page has no Cache Storage (it needs https)');
      const { model } = await openModelFolder(files, { store, endpoint: hubEndpoint });
      await get().refreshCache();
      await get().chooseModel(model.id);
    } catch (error) {
      set({ error: `The model folder could not be opened: ${messageOf(error)}` });
    }
  },

  async deleteStoredModel(repo) {
    if (get().choice?.entry?.id === repo) await get().chooseModel(null);
    await deleteModel(store!, repo);
    await get().refreshCache();
  },
});
