import { useState } from 'react';
import type { TaskRequest } from '../engine/prompt';
import { currentImage, requestLabel, useAppStore } from '../store/app-store';
import { COLORS, SHAPES, countPhrase, objectPhrase, type Color, type Shape } from '../shapes-world/vocabulary';

/** One-click tasks: each fills the model's own task prompt (from its manifest). */
export function TaskBar() {
  const runTask = useAppStore((s) => s.runTask);
  const usable = useAppStore((s) => s.model !== null && currentImage(s) !== null && !s.generating);
  const [color, setColor] = useState<Color | null>(null);
  const [shape, setShape] = useState<Shape | null>(null);
  // A photo model counts whatever the user names; GVT-tiny knows Shapes World's colours and shapes.
  const photos = useAppStore((s) => s.model?.domain === 'photos');
  const unsupported = useAppStore((s) => s.model?.unsupported);
  const [object, setObject] = useState('people');
  const why = (task: TaskRequest['task']) => unsupported?.[task] ?? null;
  const countWhat = photos ? object.trim() || 'objects' : countPhrase(color, shape);
  const identifyWhat = photos ? object.trim() || 'object' : objectPhrase(color, shape);

  const run = (request: Parameters<typeof runTask>[0]) => {
    if (usable) void runTask(request);
  };

  return (
    <div className="tasks" role="group" aria-label="One-click tasks">
      <button type="button" aria-disabled={!usable} onClick={() => run({ task: 'caption' })}>
        Caption
      </button>
      {photos ? (
        <div className="task-object">
          <label>
            <span className="field-label">Object</span>
            <input aria-label="Object" value={object} onChange={(e) => setObject(e.target.value)} placeholder="people, cars, cats…" />
          </label>
        </div>
      ) : (
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
      )}
      <button
        type="button"
        aria-disabled={!usable}
        onClick={() => run({ task: 'count', object: countWhat })}
        aria-describedby="count-what"
      >
        Count
      </button>
      <button
        type="button"
        aria-disabled={!usable}
        onClick={() => run({ task: 'identify', object: identifyWhat })}
        aria-describedby="identify-what"
      >
        Identify
      </button>
      <p className="task-hint muted">
        <span id="count-what">{requestLabel({ task: 'count', object: countWhat })}</span> ·{' '}
        <span id="identify-what">{requestLabel({ task: 'identify', object: identifyWhat })}</span>
      </p>
      {why('vqa') && (
        <p className="task-hint muted" data-testid="task-unsupported">
          {why('vqa')}
        </p>
      )}
    </div>
  );
}
