import { useState } from 'react';
import { useAppStore } from '../store/app-store';
import { COLORS, SHAPES, countPhrase, identifyPhrase, type Color, type Shape } from './shapes-world';

/** One-click tasks: each fills the model's own task prompt (from its manifest). */
export function TaskBar() {
  const runTask = useAppStore((s) => s.runTask);
  const usable = useAppStore((s) => s.modelStatus === 'ready' && s.image !== null && !s.generating);
  const [color, setColor] = useState<Color | null>(null);
  const [shape, setShape] = useState<Shape | null>(null);

  const run = (request: Parameters<typeof runTask>[0]) => {
    if (usable) void runTask(request);
  };

  return (
    <div className="tasks" role="group" aria-label="One-click tasks">
      <button type="button" aria-disabled={!usable} onClick={() => run({ task: 'caption' })}>
        Caption
      </button>
      <div className="task-object">
        <label>
          <span className="field-label">Colour</span>
          <select aria-label="Colour" value={color ?? ''} onChange={(e) => setColor((e.target.value || null) as Color | null)}>
            <option value="">any colour</option>
            {COLORS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="field-label">Shape</span>
          <select aria-label="Shape" value={shape ?? ''} onChange={(e) => setShape((e.target.value || null) as Shape | null)}>
            <option value="">any shape</option>
            {SHAPES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <button
        type="button"
        aria-disabled={!usable}
        onClick={() => run({ task: 'count', object: countPhrase(color, shape) })}
        aria-describedby="count-what"
      >
        Count
      </button>
      <button
        type="button"
        aria-disabled={!usable}
        onClick={() => run({ task: 'identify', object: identifyPhrase(color, shape) })}
        aria-describedby="identify-what"
      >
        Identify
      </button>
      <p className="task-hint muted">
        <span id="count-what">Count {countPhrase(color, shape)}</span> · <span id="identify-what">Is there {identifyPhrase(color, shape)}?</span>
      </p>
    </div>
  );
}
