import { useAppStore } from '../store/app-store';

/** Generation settings, kept across reloads. The backend and threads are in the header's Backend menu. */
export function SettingsPanel() {
  const settings = useAppStore((s) => s.settings);
  const defaultMax = useAppStore((s) => s.model?.manifest.generation.max_new_tokens ?? 64);
  const update = useAppStore((s) => s.updateSettings);
  const number = (value: string) => (value.trim() === '' ? NaN : Number(value));

  return (
    <section className="panel settings" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <div className="settings-grid">
        <label>
          <span className="field-label">Max new tokens</span>
          <input
            type="number"
            min={1}
            max={1024}
            step={1}
            aria-label="Max new tokens"
            value={settings.maxNewTokens ?? defaultMax}
            onChange={(e) => {
              const n = number(e.target.value);
              if (Number.isFinite(n) && n >= 1) void update({ maxNewTokens: n });
            }}
          />
        </label>
        <label>
          <span className="field-label">Temperature (0 = always the same answer)</span>
          <input
            type="number"
            min={0}
            max={2}
            step={0.1}
            aria-label="Temperature"
            value={settings.temperature}
            onChange={(e) => {
              const n = number(e.target.value);
              if (Number.isFinite(n)) void update({ temperature: n });
            }}
          />
        </label>
        <label>
          <span className="field-label">Top-p</span>
          <input
            type="number"
            min={0.05}
            max={1}
            step={0.05}
            aria-label="Top-p"
            value={settings.topP}
            onChange={(e) => {
              const n = number(e.target.value);
              if (Number.isFinite(n)) void update({ topP: n });
            }}
          />
        </label>
      </div>
    </section>
  );
}
