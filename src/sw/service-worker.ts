/**
 * The app's service worker: after one visit the app starts with no network.
 *
 * Built by `serviceWorkerPlugin` (./vite-plugin.ts) into `sw.js` at the site
 * root, as a classic script with no imports: the plugin strips the types and
 * puts `PRECACHE` (every file of the build and a version derived from their
 * contents) in front of this code.
 *
 * - install: every file of the build goes into `gvt-web-shell-<version>`
 *   (hashed assets still held by an older version are copied, not fetched).
 * - navigations: network first; with no network, the cached page (index.html).
 * - hashed assets (`assets/*`): cache first, they never change under one name.
 * - other same-origin GETs: network first, the cache when the network fails.
 *   Files outside the build (another package's manifest.json and README.md)
 *   are kept in `gvt-web-runtime-v1`. Model weights outside the build are
 *   left alone: the model worker keeps them in `gvt-web-files-v1`.
 * - never touched: cross-origin requests (Hub downloads), non-GETs, Range
 *   requests, partial (206) responses, and every cache this worker does not own.
 *
 * Cached responses are stored as the server sent them, headers included, so
 * COOP/COEP still make the page cross-origin isolated when it is served offline.
 */

interface PrecacheEntry {
  /** Relative to this script's URL. */
  url: string;
  /** Content-hashed name: cache first, and reusable across versions. */
  immutable: boolean;
}

declare const self: ServiceWorkerGlobalScope;
declare const PRECACHE: { version: string; files: PrecacheEntry[] };

const SHELL_PREFIX = 'gvt-web-shell-';
const SHELL_CACHE = `${SHELL_PREFIX}${PRECACHE.version}`;
const RUNTIME_PREFIX = 'gvt-web-runtime-';
const RUNTIME_CACHE = `${RUNTIME_PREFIX}v1`;
/** Sent by the page on its first visit: URLs it (and its workers) fetched before this worker was there. */
const CACHE_URLS_MESSAGE = 'gvt-sw-cache-urls';
/** ONNX graphs and their external data, which the workers keep in their own cache keyed by sha256. */
const MODEL_WEIGHTS = /\.onnx(_data)?$/i;

const scope = new URL('./', self.location.href);
const absolute = (url: string) => new URL(url, self.location.href).href;
const precached = new Map(PRECACHE.files.map((entry) => [absolute(entry.url), entry]));
const INDEX = absolute('index.html');

const isOwnCache = (name: string) => name.startsWith(SHELL_PREFIX) || name.startsWith(RUNTIME_PREFIX);

/** A full 200 response of our own origin: the only kind worth keeping. */
const cacheable = (response: Response) => response.status === 200 && response.type === 'basic';

/** A redirected response cannot answer a navigation: keep its body and headers only. */
async function storable(response: Response): Promise<Response> {
  if (!response.redirected) return response;
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers: response.headers });
}

async function precache(): Promise<void> {
  const cache = await caches.open(SHELL_CACHE);
  const older = (await caches.keys()).filter((name) => name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE);
  await Promise.all(
    PRECACHE.files.map(async (entry) => {
      const url = absolute(entry.url);
      if (await cache.match(url)) return; // an install that was cut short and retried
      if (entry.immutable) {
        for (const name of older) {
          const hit = await caches.match(url, { cacheName: name });
          if (hit) return cache.put(url, hit);
        }
      }
      // `no-cache`: revalidate, so a version never stores another version's index.html or model.
      const response = await fetch(url, { cache: 'no-cache', credentials: 'same-origin' });
      if (!cacheable(response)) throw new Error(`service worker: ${url} answered ${response.status}`);
      await cache.put(url, await storable(response));
    }),
  );
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const stale = (await caches.keys()).filter((name) => isOwnCache(name) && name !== SHELL_CACHE && name !== RUNTIME_CACHE);
      await Promise.all(stale.map((name) => caches.delete(name)));
      await self.registration.navigationPreload?.enable().catch(() => {});
      // The first visit's page is served by this worker from now on: what it fetches later is cached too.
      await self.clients.claim();
    })(),
  );
});

/**
 * Looks in this version's caches. `caches.match` with a cache name, not
 * `caches.open`: a worker of an old version still finishing a request must
 * not bring back the cache its successor just deleted.
 */
async function fromCache(request: Request | string, options?: CacheQueryOptions): Promise<Response | undefined> {
  for (const cacheName of [SHELL_CACHE, RUNTIME_CACHE]) {
    const hit = await caches.match(request, { ignoreVary: true, ...options, cacheName });
    if (hit) return hit;
  }
  return undefined;
}

async function navigate(event: FetchEvent): Promise<Response> {
  try {
    const preloaded = (await event.preloadResponse) as Response | undefined;
    return preloaded ?? (await fetch(event.request));
  } catch (error) {
    const page = (await fromCache(event.request, { ignoreSearch: true })) ?? (await fromCache(INDEX));
    if (page) return page;
    throw error;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  return (await fromCache(request)) ?? fetch(request);
}

/** Same-origin files: fresh when the network answers, cached when it does not. */
async function networkFirst(request: Request, keep: boolean): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(request);
  } catch (error) {
    const cached = await fromCache(request);
    if (cached) return cached;
    throw error;
  }
  if (keep && cacheable(response)) {
    const copy = response.clone();
    // A full disk must not fail the request.
    void caches.open(RUNTIME_CACHE).then((cache) => cache.put(request, copy)).catch(() => {});
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== scope.origin || !url.href.startsWith(scope.href)) return;
  if (request.headers.has('range')) return; // media and partial downloads: the network's business
  if (request.mode === 'navigate') {
    event.respondWith(navigate(event));
    return;
  }
  const entry = precached.get(url.href);
  if (entry?.immutable) {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (!entry && MODEL_WEIGHTS.test(url.pathname)) return; // the workers cache these themselves
  event.respondWith(networkFirst(request, !entry));
});

/** Caches the given same-origin URLs (those the first visit fetched before this worker controlled it). */
async function cacheUrls(urls: unknown[]): Promise<void> {
  const cache = await caches.open(RUNTIME_CACHE);
  await Promise.all(
    urls.map(async (value) => {
      if (typeof value !== 'string') return;
      const url = new URL(value, self.location.href);
      url.hash = '';
      if (url.origin !== scope.origin || !url.href.startsWith(scope.href)) return;
      if (precached.has(url.href) || MODEL_WEIGHTS.test(url.pathname)) return;
      try {
        const response = await fetch(url.href, { credentials: 'same-origin' });
        if (cacheable(response)) await cache.put(url.href, response);
      } catch {
        // Gone or offline: nothing to keep.
      }
    }),
  );
}

self.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown; urls?: unknown } | null;
  if (data?.type !== CACHE_URLS_MESSAGE || !Array.isArray(data.urls)) return;
  // The page counts itself offline-ready when told these are kept.
  event.waitUntil(cacheUrls(data.urls).then(() => event.ports[0]?.postMessage('kept')));
});

export {};
