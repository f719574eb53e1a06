import { create } from 'zustand';
import { GvtClient, type LoadedModel } from '../client/gvt-client';
import { HubClient } from '../client/hub-client';
import { clearModelCache, listCachedFiles, type CachedFile } from '../client/model-cache';
import type { GenerationOptions, GenerationStats } from '../engine/language-model';
import type { FileProgress } from '../engine/package';
import { freePrompt, taskPrompt, type TaskRequest } from '../engine/prompt';
import type { Backend } from '../engine/runtime';
import { GREEDY } from '../engine/sampling';
import { findHubModel, type HubModel } from '../hub/catalogue';
import { CacheStore } from '../hub/cache-store';
import { cachedModels, deleteModel, type CachedModel } from '../hub/download';
import type { Box } from '../hub/vlm-tasks';
import { taskQuestion } from '../hub/vlm-tasks';
import type { HubApi, HubLoadResponse } from '../worker-api/messages';
import { hubEndpoint, loadModelChoice, saveModelChoice } from './model-choice';
import { loadSettings, sanitizeSettings, saveSettings, type Settings } from './settings';

export const DEFAULT_MODEL_URL = `${import.meta.env.BASE_URL}models/gvt-tiny/`;

/** `?model=URL` opens another package (a booth's own model, or the tests' random-weight one). */
function initialModelUrl(): string {
  const requested = new URLSearchParams(globalThis.location?.search ?? '').get('model');
  return requested ?? DEFAULT_MODEL_URL;
}

export interface AnswerStats extends GenerationStats {
  /** The backend that produced the answer, as words (`WebGPU`, `WASM, 2 threads`). */
  backend: string;
  /** How long the vision encoder took on this image. */
  encodeMs: number;
}

export interface Message {
  id: number;
  role: 'user' | 'assistant';
  /** What the conversation shows: the user's words, or the answer so far. */
  text: string;
  /** The task behind the message (set on both the question and its answer). */
  task?: TaskRequest['task'];
  /** On a user message: the exact prompt sent to the model. */
  prompt?: string;
  /** On a user message: the task as picked, which Regenerate asks again. */
  request?: TaskRequest;
  /** Objects a detector found (Florence-2's Count and Identify), in image pixels. */
  boxes?: Box[];
  /** Set on an assistant message once its answer is complete. */
  stats?: AnswerStats;
  error?: string;
}

export interface ImageState {
  key: string;
  url: string;
  name: string;
  encodeMs: number | null;
  /** The package's scene check for this image (null: none, or not encoded yet). */
  sceneScore: number | null;
}

/** One image and the conversation about it. */
export interface Thread {
  id: string;
  image: ImageState;
  messages: Message[];
}

type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

/**
 * Whether the app starts with the network off: 'saving' while its service
 * worker stores the app's files, 'ready' once it serves this page (a booth
 * can unplug then), 'unavailable' where there is none (dev server, plain http).
 */
export type OfflineStatus = 'unavailable' | 'saving' | 'ready';

export interface CacheState {
  files: CachedFile[];
  bytes: number;
  /** False where the page has no Cache Storage (a plain-http page). */
  available: boolean;
}

/** A catalogue model from the Hub, in use instead of the GVT package. */
export interface HubState {
  model: HubModel;
  endpoint: string;
  /** What a download fetches on this device, asked of the server before the user starts. */
  sizes: HubApi['sizes']['response'] | null;
  loaded: HubLoadResponse | null;
}

export interface AppState {
  modelStatus: ModelStatus;
  model: LoadedModel | null;
  /** The package's README.md (its model card), when it has one. */
  modelCard: string | null;
  progress: Record<string, FileProgress>;
  settings: Settings;
  /** Every image of this visit, oldest first, each with its conversation. */
  threads: Thread[];
  currentThreadId: string | null;
  generating: boolean;
  cache: CacheState;
  /** A problem to show above the conversation; nothing the user had is lost with it. */
  error: string | null;

  /** Set while a Hub model is chosen; `model` then stays null. */
  hub: HubState | null;
  /** Hub models kept in Cache Storage, with their sizes. */
  hubCache: CachedModel[];
  offline: OfflineStatus;

  loadModel(packageUrl?: string): Promise<void>;
  /** null: back to the built-in GVT package. A Hub model loads at once when it is cached, else shows its download size. */
  chooseModel(id: string | null): Promise<void>;
  downloadHubModel(): Promise<void>;
  cancelDownload(): void;
  deleteHubModel(id: string): Promise<void>;
  setBackend(backend: Partial<Backend> | undefined): Promise<void>;
  updateSettings(change: Partial<Settings>): Promise<void>;
  setImage(file: File): Promise<void>;
  selectThread(id: string): void;
  ask(question: string): Promise<void>;
  runTask(request: Exclude<TaskRequest, { task: 'vqa' }>): Promise<void>;
  regenerate(): Promise<void>;
  clearConversation(): void;
  stop(): void;
  refreshCache(): Promise<void>;
  clearCache(): Promise<void>;
  showError(message: string): void;
  dismissError(): void;
  setOffline(status: OfflineStatus): void;
}

/** Hub models have no manifest with a default answer length: long enough for a detailed caption. */
const HUB_MAX_NEW_TOKENS = 128;

const client = new GvtClient();
const hubClient = new HubClient();
const hubStore = new CacheStore();
let cancelDownload: (() => void) | null = null;
let cancelCurrent: (() => void) | null = null;
let nextId = 1;
let packageUrl = initialModelUrl();
/** Bumped by each load, so a load superseded by a newer one reports nothing. */
let loadGeneration = 0;
/** Encodings under way, per image key, so a question asked meanwhile waits for the same one. */
const encodings = new Map<string, Promise<void>>();

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const backendLabel = (backend: Backend) =>
  backend.kind === 'webgpu' ? 'WebGPU' : `WASM, ${backend.threads} thread${backend.threads > 1 ? 's' : ''}`;

type ThreadsState = Pick<AppState, 'threads' | 'currentThreadId'>;
const NO_MESSAGES: Message[] = [];

const currentThreadOf = (s: ThreadsState) => s.threads.find((t) => t.id === s.currentThreadId) ?? null;
/** The current thread's image, or null before the first one. */
export const currentImage = (s: ThreadsState) => currentThreadOf(s)?.image ?? null;
/** The current thread's conversation (one array per state: safe as a zustand selector). */
export const currentMessages = (s: ThreadsState) => currentThreadOf(s)?.messages ?? NO_MESSAGES;

const initialSettings = loadSettings();

export const useAppStore = create<AppState>((set, get) => {
  const setThreads = (update: (threads: Thread[]) => Thread[]) => set((state) => ({ threads: update(state.threads) }));
  const updateMessage = (id: number, update: (m: Message) => Partial<Message>) =>
    setThreads((threads) =>
      threads.map((t) => (t.messages.some((m) => m.id === id) ? { ...t, messages: t.messages.map((m) => (m.id === id ? { ...m, ...update(m) } : m)) } : t)),
    );
  const updateImage = (key: string, update: Partial<ImageState>) =>
    setThreads((threads) => threads.map((t) => (t.image.key === key ? { ...t, image: { ...t.image, ...update } } : t)));
  const currentThread = () => currentThreadOf(get());

  /** Encodes an image once per loaded model; concurrent callers share the work. */
  const encode = (image: ImageState): Promise<void> => {
    const running = encodings.get(image.key);
    if (running) return running;
    const blob = blobs.get(image.key);
    if (!blob) return Promise.resolve();
    const work = client
      .encode(image.key, blob)
      .then(({ encodeMs, sceneScore }) => updateImage(image.key, { encodeMs, sceneScore }))
      .catch((error) => {
        set({ error: messageOf(error) });
        throw error;
      })
      .finally(() => encodings.delete(image.key));
    encodings.set(image.key, work);
    return work;
  };

  /** Streams an answer to `prompt` about the thread's image into the assistant message `answerId`. */
  const answerInto = async (threadId: string, answerId: number, prompt: string, request: TaskRequest) => {
    set({ generating: true, error: null });
    try {
      const thread = get().threads.find((t) => t.id === threadId);
      if (!thread) return;
      const { hub, settings } = get();
      const onToken = (delta: string) => updateMessage(answerId, (m) => ({ text: m.text + delta }));
      if (hub) {
        const blob = blobs.get(thread.image.key);
        if (!hub.loaded || !blob) throw new Error('The model is not loaded.');
        const call = hubClient.answer(blob, request, { maxNewTokens: settings.maxNewTokens ?? HUB_MAX_NEW_TOKENS, temperature: settings.temperature, topP: settings.topP }, onToken);
        cancelCurrent = call.cancel;
        const answer = await call.result;
        updateImage(thread.image.key, { encodeMs: answer.encodeMs });
        updateMessage(answerId, () => ({
          text: answer.text,
          boxes: answer.boxes,
          stats: { ...answer.stats, backend: backendLabel(hub.loaded!.backend), encodeMs: answer.encodeMs },
        }));
        return;
      }
      if (!client.hasImage(thread.image.key)) await encode(thread.image);
      const { model } = get();
      if (!model) throw new Error('The model is not loaded.');
      const image = get().threads.find((t) => t.id === threadId)?.image ?? thread.image;
      const options: GenerationOptions = {
        ...GREEDY,
        temperature: settings.temperature,
        topP: settings.topP,
        maxNewTokens: settings.maxNewTokens ?? model.manifest.generation.max_new_tokens,
        // A fresh seed per answer, so Regenerate gives another sample when sampling.
        seed: settings.temperature > 0 ? Math.floor(Math.random() * 2 ** 31) : undefined,
      };
      const call = client.ask(image.key, prompt, options, onToken);
      cancelCurrent = call.cancel;
      const answer = await call.result;
      updateMessage(answerId, () => ({
        text: answer.text,
        stats: { ...answer.stats, backend: backendLabel(model.backend), encodeMs: image.encodeMs ?? 0 },
      }));
    } catch (error) {
      updateMessage(answerId, () => ({ error: messageOf(error) }));
    } finally {
      cancelCurrent = null;
      set({ generating: false });
    }
  };

  /** Adds a question and its (empty) answer to the current thread, then answers it. */
  const send = async (shown: string, prompt: string, request: TaskRequest) => {
    const task = request.task;
    const { modelStatus, generating } = get();
    const thread = currentThread();
    if (generating) return;
    if (!thread) {
      set({ error: 'Add an image first: pick a sample scene, upload, paste or take a photo.' });
      return;
    }
    if (modelStatus !== 'ready') {
      set({ error: 'The model is still loading. Ask again when it is ready.' });
      return;
    }
    const userId = nextId++;
    const answerId = nextId++;
    setThreads((threads) =>
      threads.map((t) =>
        t.id === thread.id
          ? { ...t, messages: [...t.messages, { id: userId, role: 'user', text: shown, prompt, request, task }, { id: answerId, role: 'assistant', text: '', task }] }
          : t,
      ),
    );
    await answerInto(thread.id, answerId, prompt, request);
  };

  const refreshHubCache = async () => {
    try {
      set({ hubCache: await cachedModels(hubStore) });
    } catch {
      set({ hubCache: [] });
    }
  };

  return {
    modelStatus: 'idle',
    model: null,
    modelCard: null,
    progress: {},
    settings: initialSettings,
    threads: [],
    currentThreadId: null,
    generating: false,
    cache: { files: [], bytes: 0, available: typeof caches !== 'undefined' },
    error: null,
    hub: null,
    hubCache: [],
    offline: 'unavailable',

    async loadModel(url = packageUrl) {
      // A Hub model picked last visit comes back instead; a second call while it loads must not start GVT-tiny over it.
      const choice = loadModelChoice();
      if (choice && findHubModel(choice)) {
        if (get().hub?.model.id !== choice) await get().chooseModel(choice);
        return;
      }
      packageUrl = url;
      const generation = ++loadGeneration;
      cancelCurrent?.();
      encodings.clear();
      set({ modelStatus: 'loading', progress: {}, error: null, generating: false, modelCard: null });
      try {
        const model = await client.load({ packageUrl: url, backend: get().settings.backend }, (p) => {
          if (generation === loadGeneration) set((state) => ({ progress: { ...state.progress, [p.file]: p } }));
        });
        if (generation !== loadGeneration) return;
        set({ modelStatus: 'ready', model });
        void get().refreshCache();
        void fetchModelCard(url).then((modelCard) => {
          if (generation === loadGeneration) set({ modelCard });
        });
        // The old workers' visual tokens are gone: encode the current image again.
        const image = currentThread()?.image;
        if (image) await encode(image).catch(() => {}); // the error is in the state
      } catch (error) {
        if (generation !== loadGeneration) return;
        set({ modelStatus: 'error', error: `The model could not be loaded: ${messageOf(error)}` });
      }
    },

    async setBackend(backend) {
      await get().updateSettings({ backend });
    },

    async updateSettings(change) {
      const before = get().settings;
      const settings = sanitizeSettings({ ...before, ...change });
      saveSettings(settings);
      set({ settings });
      if ('backend' in change && JSON.stringify(before.backend) !== JSON.stringify(settings.backend)) {
        const hub = get().hub;
        await (hub ? get().chooseModel(hub.model.id) : get().loadModel());
      }
    },

    async setImage(file) {
      const problem = await unreadableImage(file);
      if (problem) {
        set({ error: problem }); // the current image and its conversation stay
        return;
      }
      const image: ImageState = { key: `image-${nextId++}`, url: URL.createObjectURL(file), name: file.name, encodeMs: null, sceneScore: null };
      cancelCurrent?.();
      blobs.set(image.key, file);
      const thread: Thread = { id: `thread-${nextId++}`, image, messages: [] };
      set((state) => ({ threads: [...state.threads, thread], currentThreadId: thread.id, error: null }));
      if (get().modelStatus === 'ready') await encode(image).catch(() => {}); // the error is in the state
    },

    selectThread(id) {
      const thread = get().threads.find((t) => t.id === id);
      if (!thread || id === get().currentThreadId) return;
      cancelCurrent?.();
      set({ currentThreadId: id, error: null });
    },

    async ask(question) {
      const text = question.trim();
      const model = get().model;
      if (!text) return;
      if (get().hub) {
        await send(text, text, { task: 'vqa', question: text });
        return;
      }
      // A typed-out task prompt counts as that task (its answer shows as a big number or Yes/No).
      const { prompt, request } = model ? freePrompt(model.manifest.tasks, text) : { prompt: text, request: { task: 'vqa', question: text } as const };
      await send(text, prompt, request);
    },

    async runTask(request) {
      const { model, hub } = get();
      if (hub) {
        const question = taskQuestion(request);
        await send(question, question, request);
        return;
      }
      if (!model) {
        set({ error: 'The model is still loading. Ask again when it is ready.' });
        return;
      }
      const prompt = taskPrompt(model.manifest.tasks, request);
      await send(prompt, prompt, request);
    },

    async regenerate() {
      const thread = currentThread();
      if (!thread || get().generating) return;
      const last = thread.messages[thread.messages.length - 1];
      const question = thread.messages[thread.messages.length - 2];
      if (last?.role !== 'assistant' || question?.role !== 'user') return;
      const answerId = nextId++;
      setThreads((threads) =>
        threads.map((t) =>
          t.id === thread.id ? { ...t, messages: [...t.messages.slice(0, -1), { id: answerId, role: 'assistant', text: '', task: last.task }] } : t,
        ),
      );
      await answerInto(thread.id, answerId, question.prompt ?? question.text, question.request ?? { task: 'vqa', question: question.text });
    },

    clearConversation() {
      const thread = currentThread();
      if (!thread) return;
      cancelCurrent?.();
      setThreads((threads) => threads.map((t) => (t.id === thread.id ? { ...t, messages: [] } : t)));
    },

    stop() {
      cancelCurrent?.();
    },

    async refreshCache() {
      try {
        const files = await listCachedFiles();
        set({ cache: { files, bytes: files.reduce((sum, f) => sum + f.bytes, 0), available: typeof caches !== 'undefined' } });
      } catch {
        set({ cache: { files: [], bytes: 0, available: false } });
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

    async chooseModel(id) {
      cancelCurrent?.();
      cancelDownload?.();
      saveModelChoice(id);
      if (!id) {
        hubClient.unload();
        set({ hub: null });
        await get().loadModel();
        return;
      }
      const model = findHubModel(id);
      if (!model) {
        set({ error: `${id} is not in the model catalogue.` });
        return;
      }
      const generation = ++loadGeneration;
      const endpoint = await hubEndpoint(model);
      set({ hub: { model, endpoint, sizes: null, loaded: null }, model: null, modelStatus: 'idle', progress: {}, error: null, modelCard: null });
      void refreshHubCache();
      try {
        const sizes = await hubClient.sizes({ modelId: id, endpoint, backend: get().settings.backend }).result;
        if (generation !== loadGeneration) return;
        set((state) => ({ hub: state.hub && { ...state.hub, sizes } }));
        if (sizes.files.every((f) => f.cached)) await get().downloadHubModel();
      } catch (error) {
        if (generation === loadGeneration) set({ error: `The size of ${model.name} could not be checked: ${messageOf(error)}` });
      }
    },

    async downloadHubModel() {
      const hub = get().hub;
      if (!hub) return;
      const generation = ++loadGeneration;
      set({ modelStatus: 'loading', progress: {}, error: null });
      const call = hubClient.load({ modelId: hub.model.id, endpoint: hub.endpoint, backend: get().settings.backend }, (p) => {
        if (generation === loadGeneration) set((state) => ({ progress: { ...state.progress, [p.file]: p } }));
      });
      cancelDownload = call.cancel;
      try {
        const loaded = await call.result;
        if (generation !== loadGeneration) return;
        set((state) => ({ modelStatus: 'ready', hub: state.hub && { ...state.hub, loaded } }));
      } catch (error) {
        if (generation !== loadGeneration) return;
        set({ modelStatus: 'error', error: `${hub.model.name} could not be loaded: ${messageOf(error)}` });
      } finally {
        if (generation === loadGeneration) cancelDownload = null;
        void refreshHubCache();
      }
    },

    cancelDownload() {
      cancelDownload?.();
    },

    async deleteHubModel(id) {
      if (get().hub?.model.id === id) await get().chooseModel(null);
      await deleteModel(hubStore, id);
      await refreshHubCache();
    },

    showError(message) {
      set({ error: message });
    },

    dismissError() {
      set({ error: null });
    },

    setOffline(offline) {
      set({ offline });
    },
  };
});

async function fetchModelCard(url: string): Promise<string | null> {
  try {
    const response = await fetch(new URL('README.md', new URL(url, location.href)));
    const type = response.headers.get('content-type') ?? '';
    // A static host may answer a missing file with its index.html: only markdown or text is a card.
    return response.ok && !type.includes('html') ? await response.text() : null;
  } catch {
    return null;
  }
}

/** Why a file cannot be used as an image, or null when the browser decodes it. */
async function unreadableImage(file: File): Promise<string | null> {
  const what = `"${file.name}" (${file.type || 'unknown type'})`;
  if (file.type && !file.type.startsWith('image/')) return `${what} is not an image. Choose a PNG, JPEG, WebP or GIF file.`;
  try {
    (await createImageBitmap(file)).close();
    return null;
  } catch {
    return `${what} could not be read as an image: it may be damaged or in a format this browser does not support. Choose a PNG, JPEG, WebP or GIF file.`;
  }
}

/** The files behind the images of this visit, kept out of the store's state since they are not rendered. */
const blobs = new Map<string, Blob>();

/** What the UI says about the model in use, whether a GVT package or a Hub model. */
export interface ActiveModel {
  name: string;
  description: string;
  backend: Backend;
  capabilities: LoadedModel['capabilities'];
  loadMs: number;
  defaultMaxNewTokens: number;
}

export function activeModel(state: Pick<AppState, 'model' | 'hub'>): ActiveModel | null {
  const { model, hub } = state;
  if (hub?.loaded) {
    const { backend, capabilities, loadMs } = hub.loaded;
    return { name: hub.model.name, description: hub.model.description, backend, capabilities, loadMs, defaultMaxNewTokens: HUB_MAX_NEW_TOKENS };
  }
  if (!model) return null;
  return {
    name: model.manifest.name,
    description: model.manifest.description,
    backend: model.backend,
    capabilities: model.capabilities,
    loadMs: Math.max(model.visionLoadMs, model.llmLoadMs),
    defaultMaxNewTokens: model.manifest.generation.max_new_tokens,
  };
}
