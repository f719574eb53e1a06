import type { StateCreator } from 'zustand';
import type { FileProgress } from '../engine/package';
import type { DownloadPlan, ModelInfo } from '../engine/vlm-engine';
import { findHubModel, type HubModel } from '../hub/catalogue';
import type { ModelSpec } from '../worker-api/messages';
import type { AppState } from './app-store';
import { hubEndpoint, loadModelChoice, saveModelChoice } from './model-choice';
import { client, messageOf, supersedable } from './shared';

export const DEFAULT_MODEL_URL = `${import.meta.env.BASE_URL}models/gvt-tiny/`;

/** `?model=URL` opens another package (a booth's own model, or the tests' random-weight one). */
const initialPackageUrl = () => new URLSearchParams(globalThis.location?.search ?? '').get('model') ?? DEFAULT_MODEL_URL;

/** The model chosen: a GVT package, or a catalogue model from the Hub. */
export interface ModelChoice {
  spec: ModelSpec;
  /** The catalogue entry (null for a package). */
  entry: HubModel | null;
  /** The host its files come from. */
  from: string;
}

/** 'planning': asking what a load would download; 'idle': waiting for the user to start the download. */
export type ModelStatus = 'idle' | 'planning' | 'loading' | 'ready' | 'error';

export interface SessionSlice {
  choice: ModelChoice | null;
  modelStatus: ModelStatus;
  /** The loaded model, whatever its kind. */
  model: ModelInfo | null;
  /** What loading the chosen model downloads, once asked. */
  plan: DownloadPlan | null;
  progress: Record<string, FileProgress>;
  /** Opens the model of the last visit, or the package at `url`. */
  loadModel(url?: string): Promise<void>;
  /** null: the built-in GVT package. A model loads at once when its files are here; else its download size shows first. */
  chooseModel(id: string | null): Promise<void>;
  /** Loads the chosen model again (a new backend). */
  reopenModel(): Promise<void>;
  downloadModel(): Promise<void>;
  cancelDownload(): void;
}

let packageUrl = initialPackageUrl();
const packageChoice = (url: string): ModelChoice => ({ spec: { kind: 'package', url }, entry: null, from: new URL(url, location.href).host });
let cancelLoad: (() => void) | null = null;
/** Each open or load supersedes the one before: what it finds out later is dropped. */
const begin = supersedable();

export const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set, get) => {
  const nameOf = (choice: ModelChoice) => choice.entry?.name ?? 'The model';

  const open = async (choice: ModelChoice) => {
    const current = begin();
    get().stop();
    cancelLoad?.();
    set({ choice, modelStatus: 'planning', model: null, plan: null, progress: {}, error: null });
    try {
      const plan = await client.plan({ model: choice.spec, backend: get().settings.backend }).result;
      if (!current()) return;
      set({ plan, modelStatus: 'idle' });
      if (plan.loadsAtOnce) await get().downloadModel();
    } catch (error) {
      if (current()) set({ modelStatus: 'error', error: `${nameOf(choice)} could not be loaded: ${messageOf(error)}` });
    }
  };

  return {
    choice: null,
    modelStatus: 'idle',
    model: null,
    plan: null,
    progress: {},

    async loadModel(url = packageUrl) {
      // The catalogue model picked last visit comes back instead.
      const remembered = loadModelChoice();
      if (remembered && findHubModel(remembered)) {
        if (get().choice?.entry?.id !== remembered) await get().chooseModel(remembered);
        return;
      }
      packageUrl = url;
      await open(packageChoice(url));
    },

    async chooseModel(id) {
      saveModelChoice(id);
      if (!id) return open(packageChoice(packageUrl));
      const entry = findHubModel(id);
      if (!entry) {
        set({ error: `${id} is not in the model catalogue.` });
        return;
      }
      const endpoint = await hubEndpoint(entry);
      await open({ spec: { kind: 'hub', modelId: id, endpoint }, entry, from: new URL(endpoint).host });
    },

    async reopenModel() {
      const choice = get().choice;
      if (choice) await open(choice);
    },

    async downloadModel() {
      const choice = get().choice;
      if (!choice) return;
      const current = begin();
      set({ modelStatus: 'loading', progress: {}, error: null });
      const call = client.load({ model: choice.spec, backend: get().settings.backend }, (p) => {
        if (current()) set((state) => ({ progress: { ...state.progress, [p.file]: p } }));
      });
      cancelLoad = call.cancel;
      try {
        const model = await call.result;
        if (!current()) return;
        set({ modelStatus: 'ready', model });
        // A new model has seen none of the images: the current one is read again.
        await get().lookAtCurrentImage();
      } catch (error) {
        if (current()) set({ modelStatus: 'error', error: `${nameOf(choice)} could not be loaded: ${messageOf(error)}` });
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
