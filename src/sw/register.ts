import { DEFAULT_MODEL_URL, useAppStore } from '../store/app-store';

/** Must match CACHE_URLS_MESSAGE in ./service-worker.ts (which is built on its own and imports nothing). */
const CACHE_URLS_MESSAGE = 'gvt-sw-cache-urls';

/**
 * Resolves once the model the page opened is ready (or failed to load), or
 * after `capMs` at the latest: a Hub model not downloaded yet waits for the
 * user, and the app must not wait with it.
 */
function modelSettled(capMs = 30_000): Promise<void> {
  const settled = () => ['ready', 'error'].includes(useAppStore.getState().modelStatus);
  return new Promise((resolve) => {
    if (settled()) return resolve();
    const finish = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(finish, capMs);
    const unsubscribe = useAppStore.subscribe(() => {
      if (settled()) finish();
    });
  });
}

/**
 * Registers the service worker that makes the app start offline after one
 * visit (builds only: `vite` dev has no `sw.js`), and tells the store when
 * the page is served by it (`offline`: a booth can unplug then). Where there
 * is none to be had — a file:// page, plain http off localhost, a browser
 * that refuses — the app runs as before and says nothing of offline use.
 *
 * It registers once the page has loaded and the model is ready: on a first
 * visit the model's download and WebAssembly compile come first, and the
 * worker's own download of the shell (tens of MB) does not slow them down.
 *
 * On the first visit the page and its workers fetched the model's manifest
 * before the worker existed: the worker is asked to keep those URLs, and the
 * app counts as offline-ready once it has, so the model this visit loaded
 * also loads offline.
 */
export function registerServiceWorker(): void {
  // Set by the build (./vite-plugin.ts) and only there.
  const script = import.meta.env.SERVICE_WORKER as string | undefined;
  if (!script || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;
  const firstVisit = container.controller === null;
  const base = import.meta.env.BASE_URL;
  const { setOffline } = useAppStore.getState();
  const register = async () => {
    await modelSettled();
    await container.register(`${base}${script}`, { scope: base });
    if (!firstVisit) return setOffline('ready');
    setOffline('saving');
    const registration = await container.ready;
    // The package this page opens, as the store picks it: `?model=` or the default.
    const model = new URL(new URLSearchParams(location.search).get('model') ?? DEFAULT_MODEL_URL, location.href);
    const urls = [
      new URL('manifest.json', model).href,
      new URL('README.md', model).href,
      ...performance.getEntriesByType('resource').map((entry) => entry.name),
    ];
    const kept = new MessageChannel();
    const done = new Promise((resolve) => (kept.port1.onmessage = resolve));
    registration.active?.postMessage({ type: CACHE_URLS_MESSAGE, urls }, [kept.port2]);
    await done;
    // The worker claims the pages it finds when it activates; this one may still be on its way to it.
    if (!container.controller) await new Promise((resolve) => container.addEventListener('controllerchange', resolve, { once: true }));
    setOffline('ready');
  };
  const start = () => void register().catch(() => setOffline('unavailable'));
  if (document.readyState === 'complete') start();
  else window.addEventListener('load', start, { once: true });
}
