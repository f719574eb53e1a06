import { useAppStore } from '../store/app-store';

/** The images of this visit: each keeps its own conversation; pick one to go back to it. */
export function ThreadList() {
  const threads = useAppStore((s) => s.threads);
  const current = useAppStore((s) => s.currentThreadId);
  const select = useAppStore((s) => s.selectThread);
  if (threads.length < 2) return null;
  return (
    <nav className="threads" aria-label="Images this visit">
      <h2>Images this visit</h2>
      <ul>
        {threads.map((t) => {
          const questions = t.messages.filter((m) => m.role === 'user').length;
          return (
            <li key={t.id}>
              <button
                type="button"
                className="thread"
                aria-current={t.id === current ? 'true' : undefined}
                onClick={() => select(t.id)}
                data-testid="thread"
              >
                <img src={t.image.url} alt="" width={40} height={40} />
                <span>
                  {t.image.name} · {questions} question{questions === 1 ? '' : 's'}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
