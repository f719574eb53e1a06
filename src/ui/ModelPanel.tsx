import { useEffect } from 'react';
import { useAppStore } from '../store/app-store';
import { ModelCard } from './ModelCard';
import { ModelPicker } from './ModelPicker';
import { formatBytes, percent } from '../format';

/** A stored file by its model and path: `gvt-tiny/manifest.json`, or for a Hub file `SmolVLM-256M-Instruct/onnx/…` (not the revision it was pinned to). */
const fileName = (url: string) => {
  const parts = url.split('/').filter(Boolean);
  const resolve = parts.indexOf('resolve');
  return resolve > 0 ? [parts[resolve - 1], ...parts.slice(resolve + 2)].join('/') : parts.slice(-2).join('/');
};

/** The model: its card, each file's download, what Cache Storage holds, and Clear cache. */
export function ModelPanel() {
  const model = useAppStore((s) => s.model);
  const card = model?.card;
  const status = useAppStore((s) => s.modelStatus);
  const progress = useAppStore((s) => s.progress);
  const stored = useAppStore((s) => s.stored);
  const available = useAppStore((s) => s.storageAvailable);
  const cached = stored.flatMap((m) => m.files);
  const cachedBytes = cached.reduce((sum, f) => sum + f.size, 0);
  const refreshCache = useAppStore((s) => s.refreshCache);
  const clearCache = useAppStore((s) => s.clearCache);
  // While a model loads: what its worker reports. Otherwise: every file the model that answers was read from.
  const files =
    status === 'loading' ? Object.values(progress) : (model?.files.map((f) => ({ file: f.file, loaded: f.bytes, total: f.bytes })) ?? []);

  useEffect(() => {
    void refreshCache();
  }, [refreshCache]);

  return (
    <section className="panel model-panel" aria-labelledby="model-heading">
      <h2 id="model-heading">Model{model ? `: ${model.name}` : ''}</h2>
      {model && <p className="muted">{model.description}</p>}
      <ModelPicker />
      {card && <ModelCard text={card} />}
      {files.length > 0 && (
        <>
          <h3>Files {status === 'loading' ? '(downloading)' : 'loaded'}</h3>
          <ul className="files" data-testid="file-progress">
            {files.map((f) => (
              <li key={f.file}>
                <span className="file-name">{f.file}</span>
                <span className="file-bytes">
                  {formatBytes(f.loaded)} / {formatBytes(f.total)} · {percent(f.loaded, f.total)}%
                </span>
                <progress aria-label={`Download of ${f.file}`} value={f.loaded} max={f.total || 1} />
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Stored on this device</h3>
      {!available ? (
        <p className="muted">This page has no Cache Storage (it needs https): the model is downloaded on each visit.</p>
      ) : (
        <>
          <p data-testid="cache-summary">
            {cached.length === 0
              ? 'Nothing cached yet.'
              : `${cached.length} file${cached.length === 1 ? '' : 's'}, ${formatBytes(cachedBytes)} cached: the next visit loads without downloading.`}
          </p>
          {cached.length > 0 && (
            <ul className="files" data-testid="cache-files">
              {cached.map((f) => (
                <li key={f.url}>
                  <span className="file-name">{fileName(f.url)}</span> <span className="file-bytes">{formatBytes(f.size)}</span>
                </li>
              ))}
            </ul>
          )}
          <button type="button" className="secondary" onClick={() => void clearCache()} aria-disabled={cached.length === 0}>
            Clear cache
          </button>
        </>
      )}
    </section>
  );
}
