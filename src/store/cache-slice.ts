import type { StateCreator } from 'zustand';
import { clearModelCache, listCachedFiles, type CachedFile } from '../client/model-cache';
import { CacheStore } from '../hub/cache-store';
import { cachedModels, deleteModel, type CachedModel } from '../hub/download';
import type { AppState } from './app-store';
import { messageOf } from './shared';

export interface CacheState {
  files: CachedFile[];
  bytes: number;
  /** False where the page has no Cache Storage (a plain-http page). */
  available: boolean;
}

/** What this device keeps of the models: package files, and Hub models with their sizes. */
export interface CacheSlice {
  cache: CacheState;
  hubCache: CachedModel[];
  refreshCache(): Promise<void>;
  clearCache(): Promise<void>;
  deleteHubModel(id: string): Promise<void>;
}

const hubStore = new CacheStore();
const available = () => typeof caches !== 'undefined';

export const createCacheSlice: StateCreator<AppState, [], [], CacheSlice> = (set, get) => ({
  cache: { files: [], bytes: 0, available: available() },
  hubCache: [],

  async refreshCache() {
    try {
      const files = await listCachedFiles();
      set({ cache: { files, bytes: files.reduce((sum, f) => sum + f.bytes, 0), available: available() } });
    } catch {
      set({ cache: { files: [], bytes: 0, available: false } });
    }
    try {
      set({ hubCache: available() ? await cachedModels(hubStore) : [] });
    } catch {
      set({ hubCache: [] });
    }
  },

  async clearCache() {
    try {
      await clearModelCache();
    } catch (error) {
      set({ error: `The cache could not be cleared: ${messageOf(error)}` });
    }
    await get().refreshCache();
  },

  async deleteHubModel(id) {
    if (get().choice?.entry?.id === id) await get().chooseModel(null);
    await deleteModel(hubStore, id);
    await get().refreshCache();
  },
});
