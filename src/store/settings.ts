import type { Backend } from '../engine/runtime';

/** What the user chose, kept across reloads in localStorage. */
export interface Settings {
  /** null: the model's own default (its manifest's generation.max_new_tokens). */
  maxNewTokens: number | null;
  /** 0 is greedy: the same answer every time. */
  temperature: number;
  topP: number;
  /** undefined: chosen automatically (WebGPU on a hardware GPU, else threaded WASM, else one thread). */
  backend: Partial<Backend> | undefined;
}

export const DEFAULT_SETTINGS: Settings = { maxNewTokens: null, temperature: 0, topP: 1, backend: undefined };

const KEY = 'gvt-web:settings';

const clamp = (value: unknown, min: number, max: number, fallback: number) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;

/** Anything stored that is not a valid setting falls back to its default. */
export function sanitizeSettings(raw: unknown): Settings {
  const s = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const b = s.backend as Partial<Backend> | undefined;
  let backend: Partial<Backend> | undefined;
  if (b && (b.kind === 'webgpu' || b.kind === 'wasm')) {
    backend = { kind: b.kind };
    if (b.kind === 'wasm' && typeof b.threads === 'number' && b.threads >= 1) backend.threads = Math.min(16, Math.round(b.threads));
  }
  return {
    maxNewTokens: typeof s.maxNewTokens === 'number' && Number.isFinite(s.maxNewTokens) ? Math.round(clamp(s.maxNewTokens, 1, 1024, 64)) : null,
    temperature: clamp(s.temperature, 0, 2, 0),
    topP: clamp(s.topP, 0.05, 1, 1),
    backend,
  };
}

export function loadSettings(): Settings {
  try {
    const text = globalThis.localStorage?.getItem(KEY);
    return text ? sanitizeSettings(JSON.parse(text)) : DEFAULT_SETTINGS;
  } catch {
    return DEFAULT_SETTINGS; // storage blocked (private mode) or unreadable
  }
}

export function saveSettings(settings: Settings): void {
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(settings));
  } catch {
    // Storage blocked: the settings still apply for this visit.
  }
}
