import { useAppStore } from '../store/app-store';
import type { Message } from '../store/app-store';

function Stats({ stats }: { stats: NonNullable<Message['stats']> }) {
  const rate = stats.decodeMs > 0 ? (stats.newTokens / stats.decodeMs) * 1000 : 0;
  return (
    <p className="stats">
      {Math.round(stats.firstTokenMs)} ms to first token{stats.prefixReused ? ' (image prefix reused)' : ''} · {stats.newTokens} tokens ·{' '}
      {rate.toFixed(1)} tokens/s{stats.stopReason === 'cancelled' ? ' · stopped' : ''}
    </p>
  );
}

export function Conversation() {
  const messages = useAppStore((s) => s.messages);
  const generating = useAppStore((s) => s.generating);
  if (messages.length === 0) {
    return <p className="empty">Add an image, then ask a question about it.</p>;
  }
  return (
    <ol className="messages" aria-live="polite">
      {messages.map((m, i) => {
        const streaming = generating && i === messages.length - 1 && m.role === 'assistant';
        return (
          <li key={m.id} className={`message ${m.role}`} data-testid={`message-${m.role}`} aria-busy={streaming}>
            <p className="text">{m.text || (streaming ? '…' : '')}</p>
            {m.error && (
              <p className="message-error" role="alert">
                {m.error}
              </p>
            )}
            {m.stats && <Stats stats={m.stats} />}
          </li>
        );
      })}
    </ol>
  );
}
