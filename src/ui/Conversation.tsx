import { useEffect, useRef, useState } from 'react';
import { currentMessages, useAppStore } from '../store/app-store';
import type { Message } from '../store/app-store';
import { firstInteger, yesOrNo } from '../eval/score';

function Stats({ stats }: { stats: NonNullable<Message['stats']> }) {
  const rate = stats.decodeMs > 0 ? (stats.newTokens / stats.decodeMs) * 1000 : 0;
  return (
    <p className="stats" data-testid="stats">
      {stats.backend} · vision encode {Math.round(stats.encodeMs)} ms · {Math.round(stats.firstTokenMs)} ms to first token
      {stats.prefixReused ? ' (image prefix reused)' : stats.imageReused ? ' (image reused)' : ''} · {rate.toFixed(1)} tokens/s · {stats.newTokens} tokens
      {stats.stopReason === 'cancelled' ? ' · stopped' : ''}
    </p>
  );
}

function CopyButton({ text }: { text: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 2000);
  };
  return (
    <>
      <button type="button" className="small secondary" onClick={() => void copy()}>
        Copy
      </button>
      <span className="muted copy-state" role="status">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Could not copy: select the text instead' : ''}
      </span>
    </>
  );
}

export function Conversation() {
  const messages = useAppStore(currentMessages);
  const generating = useAppStore((s) => s.generating);
  const regenerate = useAppStore((s) => s.regenerate);
  const list = useRef<HTMLOListElement>(null);
  const count = messages.length;
  // Bring a new answer into view once, when it starts (not on every token, so nothing jumps while it streams).
  useEffect(() => {
    const last = list.current?.lastElementChild;
    if (last && 'scrollIntoView' in last) last.scrollIntoView({ block: 'nearest' });
  }, [count]);
  if (messages.length === 0) {
    return <p className="empty">Pick an image, then press Caption, Count or Identify, or ask a question about it.</p>;
  }
  return (
    <ol className="messages" aria-live="polite" ref={list}>
      {messages.map((m, i) => {
        const last = i === messages.length - 1;
        const streaming = generating && last && m.role === 'assistant';
        // A free question answered with a bare number or Yes/No ("how many stars?", "is there a red circle?") shows it large too.
        const bare = m.role === 'assistant' && m.task === 'vqa' && !streaming ? /^\s*(\d+|yes|no)\.?\s*$/i.exec(m.text)?.[1] : undefined;
        const count =
          m.role === 'assistant' && m.text && (m.task === 'count' || (bare !== undefined && /\d/.test(bare))) ? firstInteger(m.text) : undefined;
        const exists =
          m.role === 'assistant' && m.text && (m.task === 'identify' || (bare !== undefined && !/\d/.test(bare))) ? yesOrNo(m.text) : undefined;
        return (
          <li
            key={m.id}
            className={`message ${m.role}`}
            data-testid={`message-${m.role}`}
            aria-busy={streaming}
          >
            {m.role === 'assistant' && count !== undefined && (
              <output className="big-number" data-testid="count-number" aria-label="Count result">
                {count ?? '?'}
              </output>
            )}
            {m.role === 'assistant' && exists !== undefined && (
              <output className="big-number" data-testid="identify-answer" aria-label="Identify result">
                {exists ?? '?'}
              </output>
            )}
            <p className={`text${streaming ? ' streaming' : ''}`}>{m.text || (streaming ? '…' : '')}</p>
            {m.role === 'user' && m.corrections && m.corrections.length > 0 && (
              <p className="corrections" data-testid="corrections">
                Read {m.corrections.map((c) => `“${c.from}” as “${c.to}”`).join(', ')}.
              </p>
            )}
            {m.role === 'user' && m.prompt && (
              // What the user asked for is the bubble; the exact words the model got are one click away.
              <details className="prompt">
                <summary>Prompt</summary>
                <code data-testid="prompt">{m.prompt}</code>
              </details>
            )}
            {m.error && (
              <p className="message-error" role="alert">
                {m.error}
              </p>
            )}
            {m.stats && <Stats stats={m.stats} />}
            {m.role === 'assistant' && !streaming && (m.stats || m.error) && (
              <div className="message-actions">
                {m.text && <CopyButton text={m.text} />}
                {last && (
                  <button type="button" className="small secondary" onClick={() => void regenerate()} disabled={generating}>
                    Regenerate
                  </button>
                )}
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}
