import { useEffect, useState } from 'react';
import { useAppStore } from '../store/app-store';

interface FieldProps {
  label: string;
  hint?: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onCommit(value: number): void;
}

/** A number input that lets the user clear it and type; each valid value is saved, an invalid one is undone on blur. */
function NumberField({ label, hint, value, min, max, step, onCommit }: FieldProps) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  return (
    <label>
      <span className="field-label">
        {label}
        {hint && <> ({hint})</>}
      </span>
      <input
        type="number"
        inputMode="decimal"
        min={min}
        max={max}
        step={step}
        aria-label={label}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const n = e.target.value.trim() === '' ? NaN : Number(e.target.value);
          if (Number.isFinite(n) && n >= min && n <= max) onCommit(n);
        }}
        onBlur={() => setText(String(value))}
      />
    </label>
  );
}

/** Generation settings, kept across reloads. The backend and its threads are in the header's Backend menu. */
export function SettingsPanel() {
  const settings = useAppStore((s) => s.settings);
  const defaultMax = useAppStore((s) => s.model?.defaultMaxNewTokens ?? 64);
  const update = useAppStore((s) => s.updateSettings);

  return (
    <section className="panel settings" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <div className="settings-grid">
        <NumberField
          label="Max new tokens"
          value={settings.maxNewTokens ?? defaultMax}
          min={1}
          max={1024}
          step={1}
          onCommit={(n) => void update({ maxNewTokens: Math.round(n) })}
        />
        <NumberField
          label="Temperature"
          hint="0 gives the same answer every time"
          value={settings.temperature}
          min={0}
          max={2}
          step={0.1}
          onCommit={(n) => void update({ temperature: n })}
        />
        <NumberField label="Top-p" value={settings.topP} min={0.05} max={1} step={0.05} onCommit={(n) => void update({ topP: n })} />
      </div>
    </section>
  );
}
