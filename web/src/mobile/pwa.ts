/**
 * Makes the phone pages an installable PWA that opens without network: links the manifest (index.html is
 * shared with the desktop, so the link is added here, only on /m) and registers /sw.js. Once the worker
 * controls the page it is told which /assets/ files this page already loaded, so the lazy chunks of the
 * phone shell are cached too.
 */
let started = false;

export function startPwa(): void {
  if (started || typeof window === 'undefined') return;
  started = true;
  if (!document.querySelector('link[rel="manifest"]')) {
    const link = document.createElement('link');
    link.rel = 'manifest';
    link.href = '/manifest.webmanifest';
    document.head.append(link);
  }
  if (!('serviceWorker' in navigator)) return;
  // Plain-http school LANs have no service workers (only https and localhost do); the phone then works online only.
  navigator.serviceWorker
    .register('/sw.js', { scope: '/m' })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      const send = () => {
        const urls = performance
          .getEntriesByType('resource')
          .map((entry) => entry.name)
          .filter((name) => name.includes('/assets/'));
        (navigator.serviceWorker.controller ?? registration.active)?.postMessage({ type: 'warm', urls });
      };
      send();
      // Chunks loaded later (a page opened for the first time) go through the worker and are cached by it.
      navigator.serviceWorker.addEventListener('controllerchange', send);
    })
    .catch(() => {
      // No worker (private mode, blocked): everything still works online.
    });
}
