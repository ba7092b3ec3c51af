/*
 * The phone shell's service worker: the /m pages open with no network after one visit.
 *
 * - Pages under /m: network first (a new release arrives at once), the last good copy of the shell when the
 *   network is gone. Every path of the SPA answers with the same index.html, so one cached copy serves all.
 * - /assets/*: file names carry a content hash, so a cached copy is always right: cache first, cached on
 *   first fetch. The page also tells the worker which assets it loaded before the worker controlled it.
 * - /api/*: never touched — answers hold records about people and are sent `no-store`; the phone keeps
 *   what it needs offline in IndexedDB itself.
 */
const SHELL = 'sc-shell-v1';
const ASSETS = 'sc-assets-v1';
const SHELL_URL = '/m';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      try {
        await cacheShell(await fetch(SHELL_URL, { cache: 'no-cache' }));
      } catch {
        // Offline at install: the first page load through the worker fills the cache.
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name !== SHELL && name !== ASSETS) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

/** Stores the shell HTML and the assets it names (entry script, its preloads, CSS). */
async function cacheShell(response) {
  if (!response.ok || !(response.headers.get('content-type') || '').includes('text/html')) return;
  const html = await response.clone().text();
  await (await caches.open(SHELL)).put(SHELL_URL, response);
  const urls = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
  await warm(urls);
}

/** Old releases' chunks are dropped oldest first past this many (a release has ~60). */
const MAX_ASSETS = 240;

/** Caches assets not cached yet (each once; a failure is retried on the next visit). */
async function warm(urls) {
  const cache = await caches.open(ASSETS);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_ASSETS))) await cache.delete(old);
  await Promise.all(
    urls
      .filter((url) => typeof url === 'string' && url.startsWith('/assets/'))
      .map(async (url) => {
        if (await cache.match(url)) return;
        try {
          const response = await fetch(url);
          if (response.ok) await cache.put(url, response);
        } catch {
          // offline: the next visit tries again
        }
      }),
  );
}

self.addEventListener('message', (event) => {
  const data = event.data;
  if (data && data.type === 'warm' && Array.isArray(data.urls)) {
    const urls = data.urls
      .map((url) => {
        try {
          const parsed = new URL(url, self.location.origin);
          return parsed.origin === self.location.origin ? parsed.pathname : null;
        } catch {
          return null;
        }
      })
      .filter(Boolean);
    event.waitUntil(warm(urls));
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(request, url.pathname));
    return;
  }
  if (request.mode === 'navigate' && (url.pathname === '/m' || url.pathname.startsWith('/m/'))) {
    event.respondWith(page(event));
  }
});

async function asset(request, path) {
  const cache = await caches.open(ASSETS);
  const cached = await cache.match(path);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(path, response.clone());
  return response;
}

async function page(event) {
  try {
    const response = await fetch(event.request);
    if (response.ok) {
      // Keep the newest shell and its assets; the page does not wait for it.
      event.waitUntil(cacheShell(response.clone()).catch(() => {}));
    }
    return response;
  } catch (error) {
    const cached = await (await caches.open(SHELL)).match(SHELL_URL);
    if (cached) return cached;
    throw error;
  }
}
