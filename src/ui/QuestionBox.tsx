import { useState, type FormEvent } from 'react';
import { currentImage, currentMessages, useAppStore } from '../store/app-store';

export function QuestionBox() {
  const [question, setQuestion] = useState('');
  const ask = useAppStore((s) => s.ask);
  const stop = useAppStore((s) => s.stop);
  const clear = useAppStore((s) => s.clearConversation);
  const generating = useAppStore((s) => s.generating);
  const hasMessages = useAppStore((s) => currentMessages(s).length > 0);
  const ready = useAppStore((s) => s.model !== null && currentImage(s) !== null);
  const unsupported = useAppStore((s) => s.model?.unsupported.vqa ?? null);
  const photos = useAppStore((s) => s.model?.domain === 'photos');
  const canSend = ready && !generating && question.trim() !== '' && !unsupported;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!canSend) return;
    void ask(question);
    setQuestion('');
  };

  return (
    <form className="question" onSubmit={submit}>
      <label className="field-label" htmlFor="question">
        Ask
      </label>
      <textarea
        id="question"
        aria-label="Question"
        placeholder={unsupported ?? (photos ? 'What is in this photo?' : 'What shape is the red object?')}
        aria-describedby={unsupported ? 'task-unsupported' : undefined}
        value={question}
        rows={2}
        onChange={(e) => setQuestion(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) submit(e);
        }}
      />
      <div className="actions">
        {/* aria-disabled, not disabled: the buttons stay in the Tab order and say why they wait. */}
        <button type="submit" aria-disabled={!canSend}>
          Send
        </button>
        <button type="button" className="secondary" onClick={stop} aria-disabled={!generating} aria-keyshortcuts="Escape" title="Stop (Esc)">
          Stop
        </button>
        <button type="button" className="secondary" onClick={clear} aria-disabled={!hasMessages}>
          Clear
        </button>
      </div>
    </form>
  );
}
