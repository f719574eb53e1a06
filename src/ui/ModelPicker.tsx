import { useState, type ChangeEvent } from 'react';
import { CATALOGUE, deviceKind, downloadEstimate } from '../hub/catalogue';
import { useAppStore } from '../store/app-store';
import { formatBytes } from '../format';
import { STUDY_PACKAGES } from '../study/packages';

const BUILT_IN = 'built-in';

/** GVT-tiny (built in) or a Hub model: what it is, its licence and download size before anything is fetched. */
export function ModelPicker() {
  const choice = useAppStore((s) => s.choice);
  const plan = useAppStore((s) => s.plan);
  const stored = useAppStore((s) => s.stored);
  const status = useAppStore((s) => s.modelStatus);
  const loaded = useAppStore((s) => s.model);
  const chooseModel = useAppStore((s) => s.chooseModel);
  const download = useAppStore((s) => s.downloadModel);
  const cancel = useAppStore((s) => s.cancelDownload);
  const deleteStoredModel = useAppStore((s) => s.deleteStoredModel);
  const openModelFolder = useAppStore((s) => s.openModelFolder);
  const [opening, setOpening] = useState(false);
  const entry = choice?.entry;
  const current = choice?.id ?? BUILT_IN;
  const cachedBytes = (id: string) => stored.find((m) => m.repo === id)?.bytes ?? 0;
  /** A catalogue model's files from disk: the store keeps them as if downloaded. */
  const openFolder = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const picked = [...(input.files ?? [])];
    input.value = '';
    if (picked.length === 0) return;
    setOpening(true);
    await openModelFolder(picked.map((f) => ({ path: f.webkitRelativePath || f.name, read: async () => new Uint8Array(await f.arrayBuffer()) })));
    setOpening(false);
  };
  // The files a Hub model would get here: those for the backend the loaded model runs on (WASM until one has loaded).
  const device = loaded ? deviceKind(loaded.backend, loaded.capabilities.shaderF16) : 'wasm';
  const toFetch = plan ? plan.files.filter((f) => !f.cached).reduce((sum, f) => sum + f.bytes, 0) : 0;

  return (
    <fieldset className="model-picker">
      <legend>Choose a model</legend>
      <label className="model-choice">
        <input type="radio" name="model" aria-label="GVT-tiny" aria-describedby="model-built-in" checked={current === BUILT_IN} onChange={() => void chooseModel(null)} />
        <span id="model-built-in">
          <strong>GVT-tiny</strong> (built in) · knows Shapes World scenes, not photographs · nothing to download
        </span>
      </label>
      {CATALOGUE.map((m) => (
        <label className="model-choice" key={m.id}>
          <input type="radio" name="model" aria-label={m.name} aria-describedby={`model-${m.id}`} checked={current === m.id} onChange={() => void chooseModel(m.id)} />
          <span id={`model-${m.id}`}>
            <strong>{m.name}</strong> · {m.description} · licence{' '}
            {m.licenceUrl ? (
              <a href={m.licenceUrl} target="_blank" rel="noreferrer">
                {m.licence}
              </a>
            ) : (
              m.licence
            )}{' '}
            · {cachedBytes(m.id) > 0 ? `${formatBytes(cachedBytes(m.id))} stored on this device` : downloadEstimate(m, device)}
          </span>
        </label>
      ))}
      <fieldset className="study-group">
        <legend>Tokenizer study</legend>
        <p className="muted">GVT-tiny&apos;s size, each with its visual tokenizer pre-trained another way; the same training after that. Ask them with the task buttons.</p>
        {STUDY_PACKAGES.map((p) => (
          <label className="model-choice" key={p.id}>
            <input type="radio" name="model" aria-label={p.name} aria-describedby={`model-${p.id}`} checked={current === p.id} onChange={() => void chooseModel(p.id)} />
            <span id={`model-${p.id}`}>
              <strong>{p.name}</strong> · tokenizer pre-trained by {p.pretraining} · its scores in the model card · nothing to download
            </span>
          </label>
        ))}
      </fieldset>
      <label className="model-folder">
        {opening ? 'Opening model folder…' : 'Open model folder'}{' '}
        <input
          type="file"
          aria-label="Open model folder"
          disabled={opening}
          onChange={(e) => void openFolder(e)}
          {...{ webkitdirectory: '', directory: '' }}
          multiple
        />
      </label>
      {entry && (
        <div className="hub-download" data-testid="hub-download">
          <p>
            <strong>{entry.id}</strong> from {choice.from}
            {plan
              ? ` · ${plan.files.length} files for ${plan.variant}: ${toFetch > 0 ? `${formatBytes(toFetch)} to download` : 'all stored on this device'}`
              : ' · checking the download size…'}
          </p>
          {plan?.warning && (
            <p className="fit-warning" role="note" data-testid="fit-warning">
              {plan.warning}
            </p>
          )}
          <div className="actions">
            {status === 'loading' && (
              <button type="button" className="secondary" onClick={cancel}>
                Cancel download
              </button>
            )}
            {status === 'idle' && (
              <button type="button" onClick={() => void download()}>
                {toFetch > 0 ? `Download ${formatBytes(toFetch)}` : 'Load'}
              </button>
            )}
            {cachedBytes(entry.id) > 0 && status !== 'loading' && (
              <button type="button" className="secondary" onClick={() => void deleteStoredModel(entry.id)}>
                Delete {entry.name} from this device
              </button>
            )}
          </div>
        </div>
      )}
    </fieldset>
  );
}
