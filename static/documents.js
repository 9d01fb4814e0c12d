// Dokumente (views/documents/_panel.eta): the drop zone of "Dokument hochladen", the title
// from the file name, and the filters of long "Geteilt mit" lists. Everything works
// without this file: a plain file input, an empty title means "from the file name".
(() => {
  // Same rule as titleFromFileName in src/http/upload.ts.
  function titleFromFileName(name) {
    return name
      .replace(/^.*[\\/]/, '')
      .replace(/\.[^.]+$/, '')
      .replace(/[_\-.]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  }

  document.querySelectorAll('[data-dropzone]').forEach((zone) => {
    var input = zone.querySelector('input[type=file]');
    var chosen = zone.querySelector('[data-chosen]');
    var form = zone.closest('form');
    var title = form?.querySelector('input[name=title]');
    var autoTitle = '';
    function show() {
      var names = Array.prototype.map.call(input.files || [], (f) => f.name);
      if (chosen) {
        chosen.hidden = names.length === 0;
        chosen.textContent = names.join(', ');
      }
      // Fill the title while the user has not typed one of their own.
      if (title && (title.value === '' || title.value === autoTitle)) {
        autoTitle = names.length === 1 ? titleFromFileName(names[0]) : '';
        title.value = autoTitle;
      }
    }
    input.addEventListener('change', show);
    ['dragenter', 'dragover'].forEach((type) => {
      zone.addEventListener(type, (event) => {
        event.preventDefault();
        zone.classList.add('dragging');
      });
    });
    ['dragleave', 'drop'].forEach((type) => {
      zone.addEventListener(type, () => {
        zone.classList.remove('dragging');
      });
    });
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      if (!event.dataTransfer?.files.length) return;
      input.files = event.dataTransfer.files;
      show();
    });
  });

  document.querySelectorAll('input[data-filter]').forEach((filter) => {
    var list = document.getElementById(filter.getAttribute('data-filter'));
    if (!list) return;
    filter.hidden = false;
    filter.addEventListener('input', () => {
      var q = filter.value.trim().toLowerCase();
      list.querySelectorAll('label').forEach((label) => {
        var input = label.querySelector('input');
        // style, not the hidden attribute: label.checkbox sets its own display.
        var hide = q !== '' && !input?.checked && label.textContent.toLowerCase().indexOf(q) < 0;
        label.style.display = hide ? 'none' : '';
      });
    });
  });
})();
