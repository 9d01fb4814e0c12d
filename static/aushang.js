/*
 * Digitaler Hausaushang (views/displays/screen.eta): where scripts run, the screen fetches its
 * next page in the background and swaps it in, so a dropped network leaves the last page
 * standing (with a note) instead of an error page. Without scripts the <noscript> meta refresh
 * does the turning. Plain ES3-style code and XMLHttpRequest, for old tablet and TV-stick browsers.
 */
(() => {
  var RETRY_MS = 30000;
  var TIMEOUT_MS = 20000;

  function screen() {
    return document.getElementById('aushang');
  }

  function secondsOf(el) {
    var s = parseInt(el.getAttribute('data-seconds'), 10);
    return s > 0 ? s : 60;
  }

  function showOffline(on) {
    var mark = document.getElementById('aushang-offline');
    if (!mark) return;
    if (on) mark.removeAttribute('hidden');
    else mark.setAttribute('hidden', 'hidden');
  }

  function freshScreen(html) {
    var holder = document.createElement('div');
    holder.innerHTML = html;
    var all = holder.getElementsByTagName('div');
    var i;
    for (i = 0; i < all.length; i++) if (all[i].id === 'aushang') return all[i];
    return null;
  }

  function load() {
    var current = screen();
    if (!current) return;
    var url = current.getAttribute('data-next');
    if (!window.XMLHttpRequest) {
      window.location.href = url;
      return;
    }
    var xhr = new XMLHttpRequest();
    var finished = false;
    var failed = () => {
      showOffline(true);
      window.setTimeout(load, RETRY_MS);
    };
    var timer = window.setTimeout(() => {
      if (finished) return;
      finished = true;
      xhr.abort();
      failed();
    }, TIMEOUT_MS);
    xhr.onreadystatechange = () => {
      if (xhr.readyState !== 4 || finished) return;
      finished = true;
      window.clearTimeout(timer);
      var fresh = xhr.status === 200 ? freshScreen(xhr.responseText) : null;
      if (fresh) {
        current.parentNode.replaceChild(fresh, current);
        window.setTimeout(load, secondsOf(fresh) * 1000);
      } else if (xhr.status === 404) {
        // The address was revoked or deleted: show the server's page that says so.
        window.location.reload();
      } else {
        failed();
      }
    };
    xhr.open('GET', url, true);
    xhr.setRequestHeader('HX-Request', 'true');
    xhr.send(null);
  }

  var first = screen();
  if (first) window.setTimeout(load, secondsOf(first) * 1000);
})();
