// Direktnachrichten (views/community/conversation.eta): a message can reach the page twice,
// as the answer to sending it (htmx) and through the live stream (htmx's SSE extension);
// the first copy stays. After sending, the cursor is back in the emptied field.
// Everything works without this file.
(() => {
  function dedupe() {
    var list = document.getElementById('messages');
    if (!list) return;
    var seen = new Set();
    Array.prototype.slice.call(list.children).forEach((item) => {
      if (!item.id) return;
      if (seen.has(item.id)) item.remove();
      else seen.add(item.id);
    });
  }
  document.body.addEventListener('htmx:afterSettle', dedupe);
  document.body.addEventListener('htmx:sseMessage', dedupe);
  document.body.addEventListener('htmx:afterRequest', (event) => {
    if (event.detail.elt?.id === 'message-form' && event.detail.successful) {
      setTimeout(() => document.getElementById('body')?.focus(), 0);
    }
  });
})();
