import type { StateCreator } from 'zustand';
import type { TaskRequest } from '../engine/prompt';
import type { Box } from '../engine/vlm-engine';
import type { GenerationStats } from '../engine/language-model';
import { fingerprint, isSvg, rasteriseSvg } from '../images/user-image';
import type { Correction } from '../shapes-world/spelling';
import { withArticle } from '../shapes-world/vocabulary';
import { WorkerError } from '../worker-api/client';
import type { AppState } from './app-store';
import { backendLabel } from '../engine/runtime';
import { blobs, client, messageOf } from './shared';

export interface AnswerStats extends GenerationStats {
  /** The backend that produced the answer, as words (`WebGPU`, `WASM, 2 threads`). */
  backend: string;
  /** How long the vision encoder took on this image. */
  encodeMs: number;
}

export interface Message {
  id: number;
  role: 'user' | 'assistant';
  /** What the conversation shows: what the user asked for, or the answer so far. */
  text: string;
  /** The task behind the message (on both the question and its answer); a typed task prompt counts as that task. */
  task?: TaskRequest['task'];
  /** On a user message, once answered: the exact prompt the model was given. */
  prompt?: string;
  /** On a user message, once answered: typed words the model read as others (typos put right). */
  corrections?: Correction[];
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
  /** The model's scene check for this image (null: none, or not encoded yet). */
  sceneScore: number | null;
  /** The file's fingerprint: the same file given again reopens this thread. */
  source: string;
}

/** One image and the conversation about it. */
export interface Thread {
  id: string;
  image: ImageState;
  messages: Message[];
}

export interface ThreadsSlice {
  /** Every image of this visit, oldest first, each with its conversation. */
  threads: Thread[];
  currentThreadId: string | null;
  generating: boolean;
  setImage(file: File): Promise<void>;
  selectThread(id: string): void;
  ask(question: string): Promise<void>;
  runTask(request: Exclude<TaskRequest, { task: 'vqa' }>): Promise<void>;
  regenerate(): Promise<void>;
  clearConversation(): void;
  stop(): void;
  /** Lets a newly loaded model read the current image (its encode time and scene check). */
  lookAtCurrentImage(): Promise<void>;
}

/** What the user's bubble shows for a request: what they asked for, not the model's prompt. */
export function requestLabel(request: TaskRequest): string {
  switch (request.task) {
    case 'caption':
      return 'Caption';
    case 'count':
      return `Count ${request.object}`;
    case 'identify':
      return `Is there ${withArticle(request.object)}?`;
    case 'vqa':
      return request.question;
  }
}

let nextId = 1;
let cancelAnswer: (() => void) | null = null;
/** The image being read: a task pressed meanwhile is about that image, not the one before. */
let reading: Promise<void> = Promise.resolve();
const ACCEPTED = 'Choose a PNG, JPEG, WebP, GIF or SVG file.';

export const createThreadsSlice: StateCreator<AppState, [], [], ThreadsSlice> = (set, get) => {
  const setThreads = (update: (threads: Thread[]) => Thread[]) => set((state) => ({ threads: update(state.threads) }));
  const editThread = (id: string, update: (t: Thread) => Thread) => setThreads((threads) => threads.map((t) => (t.id === id ? update(t) : t)));
  const updateMessage = (id: number, update: (m: Message) => Partial<Message>) =>
    setThreads((threads) =>
      threads.map((t) => (t.messages.some((m) => m.id === id) ? { ...t, messages: t.messages.map((m) => (m.id === id ? { ...m, ...update(m) } : m)) } : t)),
    );
  const updateImage = (key: string, update: Partial<ImageState>) =>
    setThreads((threads) => threads.map((t) => (t.image.key === key ? { ...t, image: { ...t.image, ...update } } : t)));
  const currentThread = () => get().threads.find((t) => t.id === get().currentThreadId) ?? null;

  /** Streams the answer to `request` about the thread's image into the assistant message `answerId`. */
  const answerInto = async (threadId: string, questionId: number, answerId: number, request: TaskRequest) => {
    set({ generating: true, error: null });
    try {
      const thread = get().threads.find((t) => t.id === threadId);
      const blob = thread && blobs.get(thread.image.key);
      if (!thread || !blob) return;
      const { settings } = get();
      const call = client.answer(
        thread.image.key,
        blob,
        request,
        {
          maxNewTokens: settings.maxNewTokens ?? undefined,
          temperature: settings.temperature,
          topP: settings.topP,
          // A fresh seed per answer, so Regenerate gives another sample when sampling.
          seed: settings.temperature > 0 ? Math.floor(Math.random() * 2 ** 31) : undefined,
        },
        (delta) => updateMessage(answerId, (m) => ({ text: m.text + delta })),
      );
      cancelAnswer = call.cancel;
      const answer = await call.result;
      if (answer.recovered) set({ notice: answer.recovered.notice, model: answer.recovered.info });
      const model = get().model;
      updateMessage(questionId, () => ({ prompt: answer.prompt, corrections: answer.corrections, task: answer.task }));
      updateImage(thread.image.key, { encodeMs: answer.encodeMs });
      updateMessage(answerId, () => ({
        text: answer.text,
        task: answer.task,
        boxes: answer.boxes,
        stats: { ...answer.stats, backend: model ? backendLabel(model.backend) : '', encodeMs: answer.encodeMs },
      }));
    } catch (error) {
      updateMessage(answerId, () => ({ error: messageOf(error) }));
    } finally {
      cancelAnswer = null;
      set({ generating: false });
    }
  };

  /** Adds what the user asked for and its (empty) answer to the current thread, then answers it. */
  const send = async (request: TaskRequest) => {
    await reading;
    const thread = currentThread();
    if (get().generating) return;
    if (!thread) {
      set({ error: 'Add an image first: pick a sample scene, upload, paste or take a photo.' });
      return;
    }
    const why = get().model?.unsupported[request.task];
    if (!get().model || why) {
      set({ error: why ?? 'The model is still loading. Ask again when it is ready.' });
      return;
    }
    const questionId = nextId++;
    const answerId = nextId++;
    const { task } = request;
    editThread(thread.id, (t) => ({
      ...t,
      messages: [...t.messages, { id: questionId, role: 'user', text: requestLabel(request), request, task }, { id: answerId, role: 'assistant', text: '', task }],
    }));
    await answerInto(thread.id, questionId, answerId, request);
  };

  /** Reads an image into the model: what it made of it (null while no model is loaded), or false when the file is no image (the message is in the state). */
  const look = async (image: ImageState, blob: Blob): Promise<Partial<ImageState> | null | false> => {
    try {
      return await client.look(image.key, blob);
    } catch (error) {
      if (error instanceof WorkerError && error.name === 'ImageInputError') {
        const what = `"${image.name}" (${blob.type || 'unknown type'})`;
        set({ error: `${what} could not be read as an image: it may be damaged or in a format this browser does not support. ${ACCEPTED}` });
        return false;
      }
      set({ error: messageOf(error) });
      return null;
    }
  };

  /** Opens a thread for the file (or reopens the one it already has); a file that is no image leaves everything as it was. */
  const readImage = async (file: File) => {
    const what = `"${file.name}" (${file.type || 'unknown type'})`;
    if (file.type && !file.type.startsWith('image/')) {
      set({ error: `${what} is not an image. ${ACCEPTED}` }); // the current image and its conversation stay
      return;
    }
    const source = await fingerprint(file);
    const same = get().threads.find((t) => t.image.source === source);
    if (same) {
      get().selectThread(same.id);
      set({ error: null });
      return;
    }
    let picture = file;
    if (isSvg(file)) {
      try {
        picture = await rasteriseSvg(file);
      } catch {
        set({ error: `${what} could not be drawn: it is not a valid SVG drawing. ${ACCEPTED}` });
        return;
      }
    }
    const image: ImageState = { key: `image-${nextId++}`, url: URL.createObjectURL(picture), name: file.name, encodeMs: null, sceneScore: null, source };
    const report = await look(image, picture);
    if (report === false) {
      URL.revokeObjectURL(image.url);
      return;
    }
    Object.assign(image, report);
    cancelAnswer?.();
    blobs.set(image.key, picture);
    const thread: Thread = { id: `thread-${nextId++}`, image, messages: [] };
    set((state) => ({ threads: [...state.threads, thread], currentThreadId: thread.id, error: null }));
  };

  return {
    threads: [],
    currentThreadId: null,
    generating: false,

    async setImage(file) {
      const read = readImage(file);
      reading = read;
      await read;
    },

    selectThread(id) {
      if (id === get().currentThreadId || !get().threads.some((t) => t.id === id)) return;
      cancelAnswer?.();
      set({ currentThreadId: id, error: null });
    },

    async ask(question) {
      const text = question.trim();
      if (text) await send({ task: 'vqa', question: text });
    },

    async runTask(request) {
      await send(request);
    },

    async regenerate() {
      const thread = currentThread();
      if (!thread || get().generating) return;
      const [question, last] = thread.messages.slice(-2);
      if (last?.role !== 'assistant' || question?.role !== 'user' || !question.request) return;
      const answerId = nextId++;
      editThread(thread.id, (t) => ({ ...t, messages: [...t.messages.slice(0, -1), { id: answerId, role: 'assistant', text: '', task: last.task }] }));
      await answerInto(thread.id, question.id, answerId, question.request);
    },

    clearConversation() {
      const thread = currentThread();
      if (!thread) return;
      cancelAnswer?.();
      editThread(thread.id, (t) => ({ ...t, messages: [] }));
    },

    stop() {
      cancelAnswer?.();
    },

    async lookAtCurrentImage() {
      const image = currentThread()?.image;
      const blob = image && blobs.get(image.key);
      const report = image && blob ? await look(image, blob) : null;
      if (image && report) updateImage(image.key, report);
    },
  };
};
