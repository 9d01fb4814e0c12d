// The portal's service worker (README, "Als App installieren"), registered by
// static/app-install.js for the scope /portal (served with Service-Worker-Allowed,
// src/features/web-app/routes.ts). Progressive enhancement: without it everything works.
//
// - The shell (CSS, htmx, icons, the offline page per language) is kept in SHELL and used
//   when the network fails; the network always comes first, so a new release shows at once.
// - Portal pages are sent `no-store` and stay out of the HTTP cache. The last visited ones
//   are kept here for reading offline, only in the cache of the login that fetched them:
//   the server names it in the X-Portal-Reader header (src/features/web-app/reader.ts).
//   An answer naming another login, none (logged out) or a 401 drops every page cache
//   first. Only GET navigations that answer 200 with HTML are kept: never forms (POST),
//   htmx fragments, downloads, the console (outside the scope) or the staff's preview.
const SHELL = 'hausportal-shell-v1';
const PAGES = 'hausportal-pages-';
const READER_HEADER = 'X-Portal-Reader';
const MAX_PAGES = 30;
// Must change together with views/shared/_head.eta (htmx's file name) and the offline route.
const SHELL_FILES = ['/static/app.css', '/static/vendor/htmx-2.0.11.min.js', '/static/favicon.svg', '/static/app-install.js', '/offline/de', '/offline/en'];
// The language of the last page seen, for the offline page: kept in SHELL under this key.
const LANGUAGE_KEY = '/offline/language';
// The reader of the newest portal answer: a page still being kept when the login changed
// (logout right after a visit) is thrown away instead of outliving the drop.
let newestReader = null;
let newestLanguage = null;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(SHELL_FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== SHELL && !name.startsWith(PAGES)).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== 'GET') return;
  if (url.pathname.startsWith('/portal/vorschau')) return;
  if (request.mode === 'navigate') {
    if (url.pathname === '/portal' || url.pathname.startsWith('/portal/')) event.respondWith(navigate(event));
    return;
  }
  if (
    url.pathname.startsWith('/static/') ||
    /^\/verwaltungen\/[^/]+\/(marke\.css|logo|logo\.png|icon-[a-z0-9]+\.png|apple-touch-icon\.png)$/.test(url.pathname)
  ) {
    event.respondWith(shellFile(event));
    return;
  }
  // htmx asks for fragments: a 401 there means the login is gone.
  if (request.headers.get('HX-Request') === 'true') event.respondWith(watchLogout(request));
});

/** Network first; the page is kept for its reader, or every page cache dropped. */
async function navigate(event) {
  const request = event.request;
  let response;
  try {
    response = await fetch(request);
  } catch {
    return offlineAnswer(request);
  }
  // A redirect (opaque here) says nothing: the page it leads to is asked for next.
  if (response.type !== 'basic') return response;
  const reader = response.headers.get(READER_HEADER);
  newestReader = response.status === 401 ? null : reader;
  if (!reader || response.status === 401) {
    await dropPages();
    return response;
  }
  await dropPages(PAGES + reader);
  const language = response.headers.get('Content-Language');
  if (language && language !== newestLanguage) {
    newestLanguage = language;
    event.waitUntil(caches.open(SHELL).then((cache) => cache.put(LANGUAGE_KEY, new Response(language))));
  }
  if (keepable(response)) event.waitUntil(keep(reader, request, response.clone()));
  return response;
}

function keepable(response) {
  return (
    response.status === 200 &&
    (response.headers.get('Content-Type') || '').startsWith('text/html') &&
    !(response.headers.get('Content-Disposition') || '').startsWith('attachment')
  );
}

/** Keeps a page in its reader's cache, the newest last, at most MAX_PAGES. */
async function keep(reader, request, response) {
  const name = PAGES + reader;
  const cache = await caches.open(name);
  await cache.delete(request, { ignoreVary: true });
  await cache.put(request, response);
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((key) => cache.delete(key)));
  if (newestReader !== reader) await caches.delete(name);
}

/** Drops every page cache except `except` (the current reader's). */
async function dropPages(except) {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith(PAGES) && name !== except).map((name) => caches.delete(name)));
}

/** Offline: the page as last seen by the current reader, else the offline page in the last language. */
async function offlineAnswer(request) {
  const names = (await caches.keys()).filter((name) => name.startsWith(PAGES));
  for (const name of names) {
    const kept = await (await caches.open(name)).match(request, { ignoreVary: true });
    if (kept) return kept;
  }
  const shell = await caches.open(SHELL);
  const stored = await shell.match(LANGUAGE_KEY);
  const language = stored ? await stored.text() : 'de';
  const page = (await shell.match(`/offline/${language === 'en' ? 'en' : 'de'}`)) || (await shell.match('/offline/de'));
  return page || new Response('Offline', { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** Shell files: the network first (the copy refreshed when it changed), the kept copy when it fails. */
async function shellFile(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') event.waitUntil(refreshShell(request, response.clone()));
    return response;
  } catch (error) {
    const kept = await caches.match(request, { cacheName: SHELL, ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

/** Writes a shell file only when it is new or its ETag changed: most page loads write nothing. */
async function refreshShell(request, response) {
  const cache = await caches.open(SHELL);
  const kept = await cache.match(request, { ignoreVary: true });
  const version = (r) => r.headers.get('ETag') || r.headers.get('Last-Modified');
  if (kept && version(kept) && version(kept) === version(response)) return;
  await cache.put(request, response);
}

async function watchLogout(request) {
  const response = await fetch(request);
  if (response.status === 401) {
    newestReader = null;
    await dropPages();
  }
  return response;
}
