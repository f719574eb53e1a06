import { useAppStore } from '../store/app-store';

const CHOICES = {
  auto: undefined,
  webgpu: { kind: 'webgpu' },
  'wasm-threads': { kind: 'wasm' },
  'wasm-1': { kind: 'wasm', threads: 1 },
} as const;
type Choice = keyof typeof CHOICES;

/** Shows the backend in use and lets the user override the automatic choice. */
export function BackendPicker() {
  const model = useAppStore((s) => s.model);
  const override = useAppStore((s) => s.backendOverride);
  const status = useAppStore((s) => s.modelStatus);
  const setBackend = useAppStore((s) => s.setBackend);

  const current: Choice = !override ? 'auto' : override.kind === 'webgpu' ? 'webgpu' : override.threads === 1 ? 'wasm-1' : 'wasm-threads';
  const caps = model?.capabilities;
  const inUse = model ? (model.backend.kind === 'webgpu' ? 'WebGPU' : `WASM, ${model.backend.threads} thread${model.backend.threads > 1 ? 's' : ''}`) : '…';

  return (
    <div className="backend">
      <span className="backend-in-use" data-testid="backend">
        Backend: {inUse}
      </span>
      <label>
        <span className="visually-hidden">Backend</span>
        <select
          aria-label="Backend"
          value={current}
          disabled={status === 'loading'}
          onChange={(e) => void setBackend(CHOICES[e.target.value as Choice])}
        >
          <option value="auto">Automatic</option>
          <option value="webgpu" disabled={caps ? !caps.webgpu : false}>
            WebGPU{caps && !caps.webgpu ? ' (no adapter)' : ''}
          </option>
          <option value="wasm-threads" disabled={caps ? !caps.crossOriginIsolated : false}>
            WASM, all threads{caps && !caps.crossOriginIsolated ? ' (page not cross-origin isolated)' : ''}
          </option>
          <option value="wasm-1">WASM, 1 thread</option>
        </select>
      </label>
    </div>
  );
}
