import { useAppStore } from '../store/app-store';

/** Tells a booth or classroom when the network can go: the app's files are stored and it starts without one. */
export function OfflineStatus() {
  const offline = useAppStore((s) => s.offline);
  if (offline === 'unavailable') return null;
  return (
    <span className={`offline-status ${offline}`} role="status" data-testid="offline-status">
      {offline === 'saving' ? 'Saving the app for offline use…' : 'Works offline'}
    </span>
  );
}
