import { useAppStore } from '../store/app-store';
import { formatBytes, percent } from '../format';

/** The model that answers, and the download of one chosen to replace it. */
export function LoadProgress() {
  const status = useAppStore((s) => s.modelStatus);
  const progress = useAppStore((s) => s.progress);
  const model = useAppStore((s) => s.model);
  const choice = useAppStore((s) => s.choice);
  const files = Object.values(progress);
  const loaded = files.reduce((sum, f) => sum + f.loaded, 0);
  const total = files.reduce((sum, f) => sum + f.total, 0);
  if (!model && status !== 'loading') return null;

  return (
    <div className="model-status" data-testid="model-status">
      {model && (
        <p>
          {model.name} ready · loaded in {Math.round(model.loadMs)} ms
        </p>
      )}
      {status === 'loading' && choice && (
        <label>
          <span className="loading-label">
            Loading {choice.name}… {formatBytes(loaded)} / {formatBytes(total)} ({percent(loaded, total)}%)
          </span>
          <progress aria-label="Model download" value={loaded} max={total || 1} />
        </label>
      )}
    </div>
  );
}
