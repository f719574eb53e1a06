/**
 * The app's state, in slices by concern: the model session, the threads of
 * images and messages, what the device caches, and the settings. Components
 * read it with selectors and act through its methods; only the store talks
 * to the model client.
 */
import { create } from 'zustand';
import { createCacheSlice, type CacheSlice } from './cache-slice';
import { createSessionSlice, type SessionSlice } from './session-slice';
import { createSettingsSlice, type SettingsSlice } from './settings-slice';
import { createThreadsSlice, type Message, type ThreadsSlice } from './threads-slice';

export type AppState = SessionSlice & ThreadsSlice & CacheSlice & SettingsSlice;

export const useAppStore = create<AppState>()((...a) => ({
  ...createSettingsSlice(...a),
  ...createSessionSlice(...a),
  ...createThreadsSlice(...a),
  ...createCacheSlice(...a),
}));

type ThreadsState = Pick<AppState, 'threads' | 'currentThreadId'>;
const NO_MESSAGES: Message[] = [];
const currentThreadOf = (s: ThreadsState) => s.threads.find((t) => t.id === s.currentThreadId) ?? null;
/** The current thread's image, or null before the first one. */
export const currentImage = (s: ThreadsState) => currentThreadOf(s)?.image ?? null;
/** The current thread's conversation (one array per state: safe as a zustand selector). */
export const currentMessages = (s: ThreadsState) => currentThreadOf(s)?.messages ?? NO_MESSAGES;

export { requestLabel } from './threads-slice';
export { DEFAULT_MODEL_URL } from './session-slice';
export type { ModelChoice, ModelStatus } from './session-slice';
export type { AnswerStats, ImageState, Message, Thread } from './threads-slice';
export type { OfflineStatus } from './settings-slice';
