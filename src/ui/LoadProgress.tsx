import { useAppStore } from '../store/app-store';
import { formatBytes, percent } from '../format';

export function LoadProgress() {
  const status = useAppStore((s) => s.modelStatus);
  const progress = useAppStore((s) => s.progress);
  const model = useAppStore((s) => s.model);
  const files = Object.values(progress);
  const loaded = files.reduce((sum, f) => sum + f.loaded, 0);
  const total = files.reduce((sum, f) => sum + f.total, 0);

  if (status === 'ready' && model) {
    return (
      <p className="model-status" data-testid="model-status">
        {model.name} ready · loaded in {Math.round(model.loadMs)} ms
      </p>
    );
  }
  if (status !== 'loading') return null;
  return (
    <div className="model-status" data-testid="model-status">
      <label>
        <span className="loading-label">Loading model… {formatBytes(loaded)} / {formatBytes(total)} ({percent(loaded, total)}%)</span>
        <progress aria-label="Model download" value={loaded} max={total || 1} />
      </label>
    </div>
  );
}
