import type { StateCreator } from 'zustand';
import type { FileProgress } from '../engine/package';
import type { DownloadPlan, ModelInfo } from '../engine/vlm-engine';
import { findHubModel, type HubModel } from '../hub/catalogue';
import { findStudyPackage, type StudyPackage } from '../study/packages';
import type { ModelSpec } from '../worker-api/messages';
import type { AppState } from './app-store';
import { hubEndpoint, loadModelChoice, saveModelChoice } from './model-choice';
import { backendLabel } from '../engine/runtime';
import { client, messageOf, supersedable } from './shared';

export const DEFAULT_MODEL_URL = `${import.meta.env.BASE_URL}models/gvt-tiny/`;

/** `?model=URL` opens another package (a booth's own model, or the tests' random-weight one). */
const initialPackageUrl = () => new URLSearchParams(globalThis.location?.search ?? '').get('model') ?? DEFAULT_MODEL_URL;

/** The model chosen: a GVT package, or a catalogue model from the Hub. */
export interface ModelChoice {
  spec: ModelSpec;
  /** The catalogue entry (null for a package). */
  entry: HubModel | null;
  /** What the picker and the remembered choice call it: a catalogue or study id; null for the package opened by default. */
  id: string | null;
  /** How messages name it. */
  name: string;
  /** The host its files come from. */
  from: string;
}

/** The chosen model's state. 'planning': asking what a load would download; 'idle': waiting for the user to start the download. */
export type ModelStatus = 'idle' | 'planning' | 'loading' | 'ready' | 'error';

export interface SessionSlice {
  /** The model picked: the one answering, or one being planned or downloaded to replace it. */
  choice: ModelChoice | null;
  /** Where `choice` stands; 'ready' once it is the one answering. */
  modelStatus: ModelStatus;
  /** The model that answers, kept while another is planned and downloaded. */
  loaded: ModelChoice | null;
  model: ModelInfo | null;
  /** What loading the chosen model downloads, once asked. */
  plan: DownloadPlan | null;
  progress: Record<string, FileProgress>;
  /** The last choice that could not be loaded, and the message that said so: that message offers to try it again. */
  failed: { id: string | null; name: string; message: string } | null;
  /** Opens the model of the last visit, or the package at `url`. */
  loadModel(url?: string): Promise<void>;
  /** null: the built-in GVT package. A model loads at once when its files are here; else its download size shows first. */
  chooseModel(id: string | null): Promise<void>;
  /** Picks the failed model again and, once its size is known, downloads it. */
  retryFailed(): Promise<void>;
  /** Loads the chosen model again (a new backend). */
  reopenModel(): Promise<void>;
  downloadModel(): Promise<void>;
  cancelDownload(): void;
}

let packageUrl = initialPackageUrl();
const packageChoice = (url: string, study?: StudyPackage): ModelChoice => ({
  spec: { kind: 'package', url },
  entry: null,
  id: study?.id ?? null,
  name: study?.name ?? (url !== DEFAULT_MODEL_URL ? `the package at ${url}` : 'GVT-tiny'),
  from: new URL(url, location.href).host,
});
const sentence = (text: string) => text[0].toUpperCase() + text.slice(1);
let cancelLoad: (() => void) | null = null;
/** The load request the answering model was loaded with: the same choice on the same backend needs no load. */
let loadedKey = '';
/** Each open or load supersedes the one before: what it finds out later is dropped. */
const begin = supersedable();

export const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set, get) => {
  const requestFor = (choice: ModelChoice) => ({ model: choice.spec, backend: get().settings.backend });

  /**
   * A choice that could not be planned or loaded: the model that answers stays
   * and the picker returns to it; with none (a first visit offline, a
   * remembered model that is gone) the built-in model loads instead.
   */
  const fail = async (choice: ModelChoice, error: unknown) => {
    const cancelled = error instanceof Error && error.name === 'AbortError';
    const what = cancelled ? `The download of ${choice.name} was cancelled.` : `${sentence(choice.name)} could not be loaded: ${messageOf(error)}`;
    const failed = (message: string) => ({ id: choice.id, name: choice.name, message });
    const loaded = get().loaded;
    if (loaded) {
      const model = get().model;
      const still =
        JSON.stringify(loaded.spec) === JSON.stringify(choice.spec) && model
          ? `It still runs on ${backendLabel(model.backend)}.`
          : `${model?.name ?? loaded.name} is still loaded.`;
      const error = `${what} ${still}`;
      set({ choice: loaded, modelStatus: 'ready', plan: null, progress: {}, failed: failed(error), error });
    } else if (choice.id) {
      await fallBack(what, failed);
    } else {
      set({ modelStatus: 'error', failed: failed(what), error: what });
    }
  };

  /** With no model answering, the built-in one loads instead, and a notice says why (offering `failed`'s retry when given). */
  const fallBack = async (why: string, failed?: (message: string) => SessionSlice['failed']) => {
    saveModelChoice(null);
    await open(packageChoice(packageUrl));
    const notice = `${why} ${get().model?.name ?? 'GVT-tiny'} is loaded instead.`;
    set({ notice, failed: failed?.(notice) ?? null });
  };

  /** The choice for a catalogue model or study package (null: the built-in package), its files from wherever this site gets them. */
  const choiceOf = async (id: string | null): Promise<ModelChoice | null> => {
    if (!id) return packageChoice(packageUrl);
    const study = findStudyPackage(id);
    if (study) return packageChoice(`${import.meta.env.BASE_URL}${study.folder}`, study);
    const entry = findHubModel(id);
    if (!entry) return null;
    const endpoint = await hubEndpoint(entry);
    return { spec: { kind: 'hub', modelId: id, endpoint }, entry, id, name: entry.name, from: new URL(endpoint).host };
  };

  const open = async (choice: ModelChoice, then?: 'download') => {
    const current = begin();
    cancelLoad?.();
    if (get().loaded && JSON.stringify(requestFor(choice)) === loadedKey) {
      set({ choice: get().loaded, modelStatus: 'ready', plan: null, progress: {}, failed: null });
      return;
    }
    set({ choice, modelStatus: 'planning', plan: null, progress: {}, failed: null, error: null });
    try {
      const plan = await client.plan(requestFor(choice)).result;
      if (!current()) return;
      // A remembered model whose files are gone would leave a first visit with nothing to ask: the built-in one loads meanwhile.
      if (!plan.loadsAtOnce && !then && !get().loaded && choice.entry && loadModelChoice() === choice.entry.id) {
        return fallBack(`${choice.name} is no longer stored on this device. Pick ${choice.name} to download it again.`);
      }
      set({ plan, modelStatus: 'idle' });
      if (plan.loadsAtOnce || then === 'download') await get().downloadModel();
    } catch (error) {
      if (current()) await fail(choice, error);
    }
  };

  return {
    choice: null,
    modelStatus: 'idle',
    loaded: null,
    model: null,
    plan: null,
    progress: {},
    failed: null,

    async loadModel(url = packageUrl) {
      packageUrl = url;
      // The catalogue model or study package loaded last visit comes back instead.
      const remembered = loadModelChoice();
      if (remembered && (findHubModel(remembered) || findStudyPackage(remembered))) {
        if (get().choice?.id !== remembered) await get().chooseModel(remembered);
        return;
      }
      await open(packageChoice(url));
    },

    async chooseModel(id) {
      const choice = await choiceOf(id);
      if (choice) await open(choice);
      else set({ error: `${id} is not in the model catalogue.` });
    },

    async retryFailed() {
      const failed = get().failed;
      if (!failed) return;
      set({ error: null, notice: null });
      const choice = await choiceOf(failed.id);
      if (choice) await open(choice, 'download');
    },

    async reopenModel() {
      const choice = get().choice;
      if (choice) await open(choice);
    },

    async downloadModel() {
      const choice = get().choice;
      if (!choice) return;
      const current = begin();
      const request = requestFor(choice);
      set({ modelStatus: 'loading', progress: {}, error: null });
      const call = client.load(request, (p) => {
        if (current()) set((state) => ({ progress: { ...state.progress, [p.file]: p } }));
      });
      cancelLoad = call.cancel;
      try {
        const model = await call.result;
        // Loaded is loaded, even when the user has since picked another: this model answers now.
        loadedKey = JSON.stringify(request);
        set({ loaded: choice, model });
        if (!current()) return;
        saveModelChoice(choice.id);
        set({ modelStatus: 'ready', failed: null });
        // A new model has seen none of the images: the current one is read again.
        await get().lookAtCurrentImage();
      } catch (error) {
        if (current()) await fail(choice, error);
      } finally {
        if (current()) cancelLoad = null;
        void get().refreshCache();
      }
    },

    cancelDownload() {
      cancelLoad?.();
    },
  };
};
