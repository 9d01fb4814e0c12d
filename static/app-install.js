// Registers the portal's service worker (static/sw.js: the shell and the last pages for
// reading offline). Loaded by views/layouts/portal.eta for residents; without JavaScript
// or without service workers the portal works as before.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/static/sw.js', { scope: '/portal' }).catch(() => {
    // No worker (private mode, blocked by policy): the portal stays a plain web page.
  });
}
