import { create } from 'zustand';
import { GvtClient, type LoadedModel } from '../client/gvt-client';
import type { GenerationStats } from '../engine/language-model';
import type { FileProgress } from '../engine/package';
import type { Backend } from '../engine/runtime';
import { GREEDY } from '../engine/sampling';

export const DEFAULT_MODEL_URL = `${import.meta.env.BASE_URL}models/gvt-tiny/`;

/** `?model=URL` opens another package (a booth's own model, or the tests' random-weight one). */
function initialModelUrl(): string {
  const requested = new URLSearchParams(globalThis.location?.search ?? '').get('model');
  return requested ?? DEFAULT_MODEL_URL;
}

export interface Message {
  id: number;
  role: 'user' | 'assistant';
  text: string;
  /** Set on an assistant message once its answer is complete. */
  stats?: GenerationStats & { encodeMs: number };
  error?: string;
}

export interface ImageState {
  key: string;
  url: string;
  name: string;
  encodeMs: number | null;
}

type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface AppState {
  modelStatus: ModelStatus;
  model: LoadedModel | null;
  /** The package's README.md (its model card), when it has one. */
  modelCard: string | null;
  progress: Record<string, FileProgress>;
  backendOverride: Partial<Backend> | undefined;
  image: ImageState | null;
  messages: Message[];
  generating: boolean;
  /** A problem to show above the conversation; nothing the user had is lost with it. */
  error: string | null;

  loadModel(packageUrl?: string): Promise<void>;
  setBackend(backend: Partial<Backend> | undefined): Promise<void>;
  setImage(file: File): Promise<void>;
  ask(question: string): Promise<void>;
  stop(): void;
  dismissError(): void;
}

const client = new GvtClient();
let cancelCurrent: (() => void) | null = null;
let nextId = 1;
let packageUrl = initialModelUrl();
/** Bumped by each load, so a load superseded by a newer one reports nothing. */
let loadGeneration = 0;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const useAppStore = create<AppState>((set, get) => {
  const updateMessage = (id: number, update: (m: Message) => Partial<Message>) =>
    set((state) => ({ messages: state.messages.map((m) => (m.id === id ? { ...m, ...update(m) } : m)) }));

  return {
    modelStatus: 'idle',
    model: null,
    modelCard: null,
    progress: {},
    backendOverride: undefined,
    image: null,
    messages: [],
    generating: false,
    error: null,

    async loadModel(url = packageUrl) {
      packageUrl = url;
      const generation = ++loadGeneration;
      cancelCurrent?.();
      set({ modelStatus: 'loading', progress: {}, error: null, generating: false, modelCard: null });
      try {
        const model = await client.load({ packageUrl: url, backend: get().backendOverride }, (p) => {
          if (generation === loadGeneration) set((state) => ({ progress: { ...state.progress, [p.file]: p } }));
        });
        if (generation !== loadGeneration) return;
        set({ modelStatus: 'ready', model });
        void fetchModelCard(url).then((modelCard) => {
          if (generation === loadGeneration) set({ modelCard });
        });
        // The old workers' visual tokens are gone: encode the current image again.
        const image = get().image;
        if (image) await encodeCurrent(image).catch(() => {}); // the error is in the state
      } catch (error) {
        if (generation !== loadGeneration) return;
        set({ modelStatus: 'error', error: `The model could not be loaded: ${messageOf(error)}` });
      }
    },

    async setBackend(backend) {
      set({ backendOverride: backend });
      await get().loadModel();
    },

    async setImage(file) {
      const problem = await unreadableImage(file);
      if (problem) {
        set({ error: problem }); // the current image and its conversation stay
        return;
      }
      const previous = get().image;
      const image: ImageState = { key: `image-${nextId++}`, url: URL.createObjectURL(file), name: file.name, encodeMs: null };
      cancelCurrent?.();
      set({ image, messages: [], error: null });
      blobs.set(image.key, file);
      if (previous) {
        URL.revokeObjectURL(previous.url);
        blobs.delete(previous.key);
      }
      if (get().modelStatus === 'ready') await encodeCurrent(image).catch(() => {}); // the error is in the state
    },

    async ask(question) {
      const { image, modelStatus, generating } = get();
      const text = question.trim();
      if (!text || generating) return;
      if (!image) {
        set({ error: 'Add an image first: upload one or drop it on the page.' });
        return;
      }
      if (modelStatus !== 'ready') {
        set({ error: 'The model is still loading. Ask again when it is ready.' });
        return;
      }
      const userId = nextId++;
      const answerId = nextId++;
      set((state) => ({
        generating: true,
        error: null,
        messages: [...state.messages, { id: userId, role: 'user', text }, { id: answerId, role: 'assistant', text: '' }],
      }));
      try {
        if (!client.hasImage(image.key)) await encodeCurrent(image);
        const current = get().image;
        if (current?.key !== image.key) return;
        const manifest = get().model!.manifest;
        const call = client.ask(
          image.key,
          text,
          { ...GREEDY, maxNewTokens: manifest.generation.max_new_tokens },
          (delta) => updateMessage(answerId, (m) => ({ text: m.text + delta })),
        );
        cancelCurrent = call.cancel;
        const answer = await call.result;
        updateMessage(answerId, () => ({ text: answer.text, stats: { ...answer.stats, encodeMs: current.encodeMs ?? 0 } }));
      } catch (error) {
        updateMessage(answerId, () => ({ error: messageOf(error) }));
      } finally {
        cancelCurrent = null;
        set({ generating: false });
      }
    },

    stop() {
      cancelCurrent?.();
    },

    dismissError() {
      set({ error: null });
    },
  };

  async function encodeCurrent(image: ImageState) {
    const blob = blobs.get(image.key);
    if (!blob) return;
    try {
      const { encodeMs } = await client.encode(image.key, blob);
      set((state) => (state.image?.key === image.key ? { image: { ...image, encodeMs } } : {}));
    } catch (error) {
      set({ error: messageOf(error) });
      throw error;
    }
  }
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

/** The files behind images, kept out of the store's state since they are not rendered. */
const blobs = new Map<string, Blob>();
