import { useAppStore } from '../store/app-store';

/**
 * The error and the notice, docked at the bottom of the viewport: wherever the
 * user has scrolled (a phone, down at the answers), what went wrong is in view
 * and announced. A model that could not be loaded can be tried again from here.
 */
export function Alerts() {
  const error = useAppStore((s) => s.error);
  const notice = useAppStore((s) => s.notice);
  const failed = useAppStore((s) => s.failed);
  const dismissError = useAppStore((s) => s.dismissError);
  const dismissNotice = useAppStore((s) => s.dismissNotice);
  const retryFailed = useAppStore((s) => s.retryFailed);
  const retry = (message: string) =>
    failed?.message === message && (
      <button type="button" className="small secondary retry" onClick={() => void retryFailed()}>
        Try {failed.name} again
      </button>
    );

  return (
    <div className="alerts">
      {error && (
        <div className="error" role="alert">
          <span>{error}</span>
          {retry(error)}
          <button type="button" className="dismiss" onClick={dismissError} aria-label="Dismiss message">
            ×
          </button>
        </div>
      )}
      {notice && (
        <div className="notice" role="status" data-testid="notice">
          <span>{notice}</span>
          {retry(notice)}
          <button type="button" className="dismiss" onClick={dismissNotice} aria-label="Dismiss notice">
            ×
          </button>
        </div>
      )}
    </div>
  );
}
