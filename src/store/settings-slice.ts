import type { StateCreator } from 'zustand';
import type { Backend } from '../engine/runtime';
import type { AppState } from './app-store';
import { loadSettings, sanitizeSettings, saveSettings, type Settings } from './settings';

/**
 * Whether the app starts with the network off: 'saving' while its service
 * worker stores the app's files, 'ready' once it serves this page (a booth
 * can unplug then), 'unavailable' where there is none (dev server, plain http).
 */
export type OfflineStatus = 'unavailable' | 'saving' | 'ready';

export interface SettingsSlice {
  settings: Settings;
  offline: OfflineStatus;
  /** A problem to show above the conversation; nothing the user had is lost with it. */
  error: string | null;
  /** Something the app did on its own that the user should know (a model reloaded after a crash). */
  notice: string | null;
  setBackend(backend: Partial<Backend> | undefined): Promise<void>;
  updateSettings(change: Partial<Settings>): Promise<void>;
  setOffline(status: OfflineStatus): void;
  showError(message: string): void;
  dismissError(): void;
  dismissNotice(): void;
}

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = (set, get) => ({
  settings: loadSettings(),
  offline: 'unavailable',
  error: null,
  notice: null,

  async setBackend(backend) {
    await get().updateSettings({ backend });
  },

  async updateSettings(change) {
    const before = get().settings;
    const settings = sanitizeSettings({ ...before, ...change });
    saveSettings(settings);
    set({ settings });
    // The model in use reloads on the new backend.
    if ('backend' in change && JSON.stringify(before.backend) !== JSON.stringify(settings.backend)) await get().reopenModel();
  },

  setOffline(offline) {
    set({ offline });
  },
  showError(message) {
    set({ error: message });
  },
  dismissError() {
    set({ error: null });
  },
  dismissNotice() {
    set({ notice: null });
  },
});
