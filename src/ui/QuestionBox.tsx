import { useState, type FormEvent } from 'react';
import { useAppStore } from '../store/app-store';

export function QuestionBox() {
  const [question, setQuestion] = useState('');
  const ask = useAppStore((s) => s.ask);
  const stop = useAppStore((s) => s.stop);
  const generating = useAppStore((s) => s.generating);
  const ready = useAppStore((s) => s.modelStatus === 'ready' && s.image !== null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!question.trim() || generating) return;
    void ask(question);
    setQuestion('');
  };

  return (
    <form className="question" onSubmit={submit}>
      <textarea
        aria-label="Question"
        placeholder="How many stars are there in the image?"
        value={question}
        rows={2}
        onChange={(e) => setQuestion(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) submit(e);
        }}
      />
      <div className="actions">
        <button type="submit" disabled={!ready || generating || !question.trim()}>
          Send
        </button>
        <button type="button" onClick={stop} disabled={!generating}>
          Stop
        </button>
      </div>
    </form>
  );
}
