import { useAppStore } from '../store/app-store';
import { backendLabel, decideBackend, wasmThreadsMax, type Backend } from '../engine/runtime';

type Choice = 'auto' | 'webgpu' | 'wasm' | `wasm-${number}`;

const toBackend = (choice: Choice): Partial<Backend> | undefined =>
  choice === 'auto' ? undefined : choice === 'webgpu' ? { kind: 'webgpu' } : choice === 'wasm' ? { kind: 'wasm' } : { kind: 'wasm', threads: Number(choice.slice(5)) };

const toChoice = (backend: Partial<Backend> | undefined): Choice =>
  !backend ? 'auto' : backend.kind === 'webgpu' ? 'webgpu' : backend.threads ? `wasm-${backend.threads}` : 'wasm';

/** Shows the backend in use and why, and lets the user override the automatic choice (backend and threads; kept across reloads). */
export function BackendPicker() {
  const model = useAppStore((s) => s.model);
  const override = useAppStore((s) => s.settings.backend);
  const status = useAppStore((s) => s.modelStatus);
  const setBackend = useAppStore((s) => s.setBackend);

  const current = toChoice(override);
  const caps = model?.capabilities;
  const maxThreads = caps ? wasmThreadsMax(caps.cores) : 4;
  const threadChoices = [2, 4].filter((n) => n <= maxThreads || current === `wasm-${n}`);
  const inUse = model ? backendLabel(model.backend) : '…';
  const noIsolation = caps ? !caps.crossOriginIsolated : false;
  const choice = caps ? decideBackend(caps, override) : null;
  // A model reloaded on WASM after its GPU was lost runs on what nobody chose: the notice says why, not this.
  const why = choice && model && choice.backend.kind === model.backend.kind && choice.backend.threads === model.backend.threads ? choice.why : null;

  return (
    <div className="backend">
      <span className="backend-in-use" data-testid="backend">
        Backend: {inUse}
      </span>
      {why && (
        <span className="backend-why" data-testid="backend-why">
          {why}
        </span>
      )}
      <label>
        <span className="visually-hidden">Backend</span>
        <select aria-label="Backend" value={current} disabled={status === 'loading' || status === 'planning'} onChange={(e) => void setBackend(toBackend(e.target.value as Choice))}>
          <option value="auto">Automatic</option>
          <option value="webgpu" disabled={caps ? !caps.webgpu : false}>
            WebGPU{caps && !caps.webgpu ? ' (no adapter)' : caps?.softwareGpu ? ` (${caps.softwareGpu}, software)` : ''}
          </option>
          <option value="wasm" disabled={noIsolation}>
            WASM, all threads{noIsolation ? ' (page not cross-origin isolated)' : ''}
          </option>
          <option value="wasm-1">WASM, 1 thread</option>
          {threadChoices.map((n) => (
            <option key={n} value={`wasm-${n}`} disabled={noIsolation}>
              WASM, {n} threads
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
