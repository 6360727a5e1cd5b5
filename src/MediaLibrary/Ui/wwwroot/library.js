// The library: search, filters (kept in the URL), a grid of thumbnails with endless scrolling,
// selection of several entries with actions on all of them at once, and upload.
import { main, h, say, api, ApiError, sendFile, loadImage, titleOf, isImage, badge, canWrite, loadMediaTypes, dialog, inUse, screen, profiles, profileName, profileSelect, profileOf, profileDot } from './http.js';

const PAGE = 40;

// Archived entries are hidden unless asked for: they are kept, not worked with.
const defaults = { q: '', mediaType: '', state: '', archived: 'false', licenseProfile: '', sort: '-updatedAt' };

/** The filters in the URL (`#/?q=…&state=…`), so a reload or a shared link keeps them. */
function readFilters() {
  const at = location.hash.indexOf('?');
  const params = new URLSearchParams(at < 0 ? '' : location.hash.slice(at + 1));
  const filters = { ...defaults };
  for (const name of Object.keys(defaults)) if (params.has(name)) filters[name] = params.get(name);
  if (filters.sort === 'relevance' && !filters.q) filters.sort = defaults.sort;
  return filters;
}

function writeFilters(filters) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value !== defaults[name]) params.set(name, value);
  const hash = params.toString() ? `#/?${params}` : '#/';
  // replaceState: no hashchange, so the page is not built again for its own change.
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

// Escape clears the selection of whichever library is on screen (one listener for the page).
let clearSelection = null;
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && clearSelection && !document.querySelector('dialog[open]')) clearSelection();
});

const dateOf = (iso) => (iso || '').slice(0, 10);

export async function renderLibrary() {
  const library = readFilters();
  const mine = screen.id;
  const [writer, types] = await Promise.all([canWrite().catch(() => false), loadMediaTypes().catch(() => [])]);
  if (mine !== screen.id) return;
  const grid = h('ul', { className: 'grid', id: 'grid', 'aria-label': 'Media' });
  const count = h('p', { className: 'count', id: 'count', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', id: 'more', hidden: true }, 'Load more');
  const sentinel = h('div', { className: 'more' }, more);
  let cursor = null;
  let loading = false;
  let generation = 0;

  const thumbs = new IntersectionObserver((seen) => {
    for (const item of seen) {
      if (!item.isIntersecting) continue;
      thumbs.unobserve(item.target);
      loadImage(item.target, item.target.dataset.key, 'w=360&h=270&fit=crop&auto=format', 'Refused: revoked or invalid');
    }
  }, { rootMargin: '200px' });

  const entries = new Map();
  function tile(entry) {
    entries.set(entry.id, entry);
    const alt = titleOf(entry);
    const picture = isImage(entry)
      ? h('img', { className: 'thumb', alt, 'data-key': entry.asset.key })
      : h('div', { className: 'thumb placeholder', role: 'img', 'aria-label': `${alt} (${entry.mediaType})` }, entry.mediaType);
    if (picture.tagName === 'IMG') thumbs.observe(picture);
    const credit = entry.metadata && typeof entry.metadata.credit === 'string' ? entry.metadata.credit : '';
    const selected = selection.has(entry.id);
    // Cards hold links, so they are list items, not listbox options; a screen reader hears "selected" in the link.
    return h('li', { className: selected ? 'tile selected' : 'tile', 'data-id': entry.id, 'data-selected': String(selected) },
      h('a', { href: `#/entry/${encodeURIComponent(entry.id)}` }, h('span', { className: 'visually-hidden state' }, selected ? 'Selected: ' : ''), picture,
        h('div', { className: 'meta' }, h('div', { className: 'title', title: alt }, alt),
          h('div', { className: 'sub' }, credit ? h('span', { className: 'credit' }, credit) : null,
            h('span', { className: 'when' }, profileOf(entry, types) ? profileDot(profileOf(entry, types)) : null, h('time', { datetime: entry.createdAt }, dateOf(entry.createdAt)))),
          badge(entry))));
  }

  // ---- selection: Ctrl/Cmd-click toggles, Shift-click or Shift+arrows take a range, Escape clears
  const selection = new Set();
  let anchor = null;
  const bar = h('section', { className: 'batchbar', id: 'batch', 'aria-label': 'Selected entries', hidden: true });
  const outcomes = h('ul', { className: 'outcomes', id: 'batch-outcomes', 'aria-live': 'polite' });
  const tiles = () => [...grid.children];
  function mark() {
    for (const li of grid.children) {
      const on = selection.has(li.dataset.id);
      li.classList.toggle('selected', on);
      li.dataset.selected = String(on);
      li.querySelector('.state').textContent = on ? 'Selected: ' : '';
    }
    renderBar();
  }
  function range(toId) {
    const ids = tiles().map((li) => li.dataset.id);
    const from = ids.indexOf(anchor ?? toId);
    const to = ids.indexOf(toId);
    selection.clear();
    for (let i = Math.min(from, to); i <= Math.max(from, to); i++) selection.add(ids[i]);
    mark();
  }
  clearSelection = () => { if (selection.size || outcomes.children.length) { selection.clear(); anchor = null; outcomes.replaceChildren(); mark(); } };
  grid.addEventListener('click', (event) => {
    const li = event.target.closest('li.tile');
    if (!li) return;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      if (selection.has(li.dataset.id)) selection.delete(li.dataset.id); else selection.add(li.dataset.id);
      anchor = li.dataset.id;
      mark();
    } else if (event.shiftKey) {
      event.preventDefault();
      if (anchor === null) anchor = li.dataset.id;
      range(li.dataset.id);
    }
  });
  grid.addEventListener('keydown', (event) => {
    const li = event.target.closest('li.tile');
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 'row', ArrowUp: '-row' }[event.key];
    if (!li || step === undefined) return;
    const list = tiles();
    const columns = Math.max(1, getComputedStyle(grid).gridTemplateColumns.split(' ').length);
    const by = step === 'row' ? columns : step === '-row' ? -columns : step;
    const next = list[list.indexOf(li) + by];
    if (!next) return;
    event.preventDefault();
    next.querySelector('a').focus();
    if (event.shiftKey) {
      if (anchor === null) anchor = li.dataset.id;
      range(next.dataset.id);
    }
  });

  function button(id, text, onclick, className) {
    return h('button', { type: 'button', id, className, onclick }, text);
  }

  function renderBar() {
    // The outcomes stay in view after the entries they name left the grid (archived, deleted).
    bar.hidden = selection.size === 0 && !outcomes.children.length;
    if (bar.hidden) return;
    const actions = writer ? [
      button('batch-edit', 'Edit metadata…', editMetadata),
      button('batch-revoke', 'Revoke…', revoke, 'danger'),
      button('batch-unrevoke', 'Unrevoke', () => run('Unrevoked', () => [{ operation: 'unrevokeAsset' }])),
      button('batch-archive', 'Archive', () => run('Archived', () => [{ operation: 'archive' }])),
      button('batch-unarchive', 'Unarchive', () => run('Unarchived', () => [{ operation: 'unarchive' }])),
      profiles().length ? button('batch-license', 'Licence…', license) : null,
      button('batch-delete', 'Delete…', remove, 'danger'),
    ] : [];
    bar.replaceChildren(
      h('div', { className: 'row' }, h('strong', { id: 'selected-count' }, `${selection.size} selected`), ...actions,
        button('batch-clear', 'Clear (Esc)', () => clearSelection())),
      outcomes);
  }

  /** Each selected entry's outcome, by title: what happened to it, or the server's reason. */
  function report(label, results) {
    const failed = results.filter((r) => !r.ok);
    outcomes.replaceChildren(
      h('li', { className: failed.length ? 'error' : 'done', id: 'batch-summary' },
        `${label}: ${results.length - failed.length} of ${results.length}${failed.length ? `; ${failed.length} not` : ''}.`),
      ...failed.map((r) => h('li', { className: 'error', 'data-id': r.id }, `${titleOf(entries.get(r.id) || { id: r.id })}: ${r.message}`)));
    renderBar();
  }

  /**
   * One PATCH /mediaLibrary for the whole selection (SPEC §16). patches(entry) gives an entry's
   * patches, null to leave it out, or a string: why it cannot take this action (its outcome).
   */
  async function run(label, patches) {
    const planned = [...selection].map((id) => ({ id, patches: patches(entries.get(id)) }));
    const items = planned.filter((i) => Array.isArray(i.patches) && i.patches.length);
    const byId = new Map(planned.filter((i) => typeof i.patches === 'string').map((i) => [i.id, { id: i.id, ok: false, message: i.patches }]));
    if (items.length) {
      try {
        const answer = await api('/mediaLibrary', { method: 'PATCH', body: { entries: items.map(({ id, patches: p }) => ({ id, patches: p })) } });
        for (const r of answer.results) byId.set(r.id, { id: r.id, ok: r.ok, message: r.ok ? '' : new ApiError(r.status, r).message });
      } catch (e) {
        for (const i of items) byId.set(i.id, { id: i.id, ok: false, message: e.message });
      }
    }
    const results = planned.filter((i) => byId.has(i.id)).map((i) => byId.get(i.id));
    // The grid first, then the outcomes: once they show, the page is done changing.
    if (items.length) await refresh();
    report(label, results);
  }

  /** Sets one licence profile (SPEC §15) on every selected entry whose media type has a licence property. */
  async function license() {
    const types = await loadMediaTypes();
    const select = profileSelect('batch-license-profile', '', '— none (remove) —');
    dialog(`Licence for ${selection.size} ${selection.size === 1 ? 'entry' : 'entries'}`,
      h('div', { className: 'field' }, h('label', { for: 'batch-license-profile' }, 'Licence profile'), select),
      'Set', () => run(select.value ? `Licence set to ${profileName(profiles().find((p) => p.handle === select.value))}` : 'Licence removed', (entry) => {
        const type = types.find((t) => t.handle === entry.mediaType);
        const property = type && type.metadata.find((p) => p.type === 'li-license-profile');
        if (!property) return `its media type '${entry.mediaType}' has no licence profile`;
        return [{ operation: 'setMetadataProperty', propertyName: property.handle, value: select.value || null }];
      }));
  }

  /** Reloads the shown pages and keeps the selection (entries that left the filter drop out of it). */
  async function refresh() {
    await load(true);
    for (const id of [...selection]) if (!tiles().some((li) => li.dataset.id === id)) selection.delete(id);
    mark();
  }

  function revoke() {
    const note = h('input', { type: 'text', id: 'batch-note', maxlength: 1000 });
    dialog(`Revoke ${selection.size} ${selection.size === 1 ? 'entry' : 'entries'}`,
      [h('p', {}, 'Delivery of their files stops at once, everywhere.'), h('div', { className: 'field' }, h('label', { for: 'batch-note' }, 'Note (why; shown on each entry)'), note)],
      'Revoke', () => run('Revoked', () => [{ operation: 'revokeAsset', ...(note.value.trim() ? { note: note.value.trim() } : {}) }]), true);
  }

  /** One form for the selection's text properties: a field whose values differ says so and stays as each entry has it unless edited. */
  async function editMetadata() {
    const chosen = [...selection].map((id) => entries.get(id)).filter(Boolean);
    const types = new Set(chosen.map((e) => e.mediaType));
    const definitions = (await loadMediaTypes()).filter((t) => types.has(t.handle));
    // The properties every selected entry's media type has, that a text field can edit.
    const common = definitions.length ? definitions[0].metadata.filter((p) => p.type === 'li-text' && definitions.every((t) => t.metadata.some((q) => q.handle === p.handle && q.type === 'li-text'))) : [];
    const inputs = [];
    const fields = common.map((property) => {
      const values = new Set(chosen.map((e) => (e.metadata && typeof e.metadata[property.handle] === 'string' ? e.metadata[property.handle] : '')));
      const same = values.size === 1;
      const label = (property.ui && property.ui.label) || property.handle;
      const input = h('input', { type: 'text', id: `batch-field-${property.handle}`, value: same ? [...values][0] : '', placeholder: same ? '' : '(differing values: left as they are)', 'data-handle': property.handle });
      input.dataset.original = input.value;
      inputs.push(input);
      return h('div', { className: 'field' }, h('label', { for: input.id }, label), input,
        same ? null : h('p', { className: 'hint', id: `batch-differs-${property.handle}` }, `${values.size} different values`));
    });
    dialog(`Edit ${chosen.length} ${chosen.length === 1 ? 'entry' : 'entries'}`, fields.length ? fields : h('p', {}, 'The selected entries have no text property in common.'),
      'Save', () => {
        const edited = inputs.filter((i) => i.value !== i.dataset.original);
        const values = edited.map((i) => [i.dataset.handle, i.value.trim()]);
        return run('Saved', () => values.map(([propertyName, value]) => ({ operation: 'setMetadataProperty', propertyName, value: value === '' ? null : value })));
      });
  }

  function remove() {
    const ids = [...selection];
    dialog(`Delete ${ids.length} ${ids.length === 1 ? 'entry' : 'entries'}`,
      h('p', {}, 'An entry in use (published, referenced, in a usage log, or archived) is not deleted; you will see why. Deleted entries and their files are gone for good.'),
      'Delete', async () => {
        const results = [];
        for (const id of ids) {
          const entry = entries.get(id);
          try {
            await api(`/mediaLibrary/${encodeURIComponent(id)}?version=${entry.version}`, { method: 'DELETE' });
            results.push({ id, ok: true });
          } catch (e) {
            results.push({ id, ok: false, message: e.status === 409 ? inUse(e.body) : e.message });
          }
        }
        await refresh();
        report('Deleted', results);
      }, true);
  }

  async function load(reset) {
    if (loading && !reset) return;
    const mine = reset ? ++generation : generation;
    loading = true;
    writeFilters(library);
    const params = new URLSearchParams({ limit: String(PAGE), sort: library.sort });
    for (const name of ['q', 'mediaType', 'state', 'archived', 'licenseProfile']) if (library[name]) params.set(name, library[name]);
    if (!reset && cursor) params.set('after', cursor);
    try {
      const page = await api(`/search/mediaLibrary?${params}`);
      if (mine !== generation) return;
      if (reset) { grid.replaceChildren(); entries.clear(); }
      grid.append(...page.results.map(tile));
      cursor = page.cursor;
      more.hidden = !cursor;
      const total = page.totalRelation === 'gte' ? `${page.total.toLocaleString('en')}+` : page.total.toLocaleString('en');
      count.textContent = page.total === 0
        ? (library.q || library.mediaType || library.state || library.licenseProfile || library.archived !== defaults.archived ? 'Nothing matches these words and filters.' : 'The library is empty: drop files anywhere on the page to start.')
        : `${total} ${page.total === 1 ? 'entry' : 'entries'}, ${grid.children.length} shown`;
    } catch (e) {
      // The server's words stay in the status line; the grid says only that nothing came.
      if (e.status !== 401) say(`Searching failed: ${e.message}`, 'error');
    } finally {
      if (mine === generation) {
        loading = false;
        // An observer only reports changes: if the end of the grid is still in view after this
        // page, observing again reports it at once and the next page loads.
        if (cursor) { scroller.unobserve(sentinel); scroller.observe(sentinel); }
      }
    }
  }

  const scroller = new IntersectionObserver((seen) => {
    if (seen.some((s) => s.isIntersecting) && cursor && !loading) load(false);
  }, { rootMargin: '400px' });
  scroller.observe(sentinel);
  more.addEventListener('click', () => load(false));

  const search = h('input', { type: 'search', id: 'q', value: library.q, placeholder: 'Title, caption, credit, tags, filename…' });
  let typing;
  const sortSelect = h('select', { id: 'sort', onchange: (event) => { library.sort = event.target.value; load(true); } },
    [['-updatedAt', 'Recently updated'], ['-createdAt', 'Newest'], ['createdAt', 'Oldest'], ['relevance', 'Best match']]
      .map(([value, text]) => h('option', { value, selected: library.sort === value }, text)));
  // "Best match" ranks by the words: offered only with words.
  function offerBestMatch() {
    const best = sortSelect.querySelector('option[value=relevance]');
    best.hidden = best.disabled = !library.q;
    if (!library.q && library.sort === 'relevance') { library.sort = defaults.sort; sortSelect.value = library.sort; }
  }
  const searchNow = () => { library.q = search.value.trim(); offerBestMatch(); load(true); };
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(searchNow, 250);
  });

  const select = (id, label, name, options) => h('div', { className: 'field' }, h('label', { for: id }, label),
    h('select', { id, onchange: (event) => { library[name] = event.target.value; load(true); } },
      options.map(([value, text]) => h('option', { value, selected: library[name] === value }, text))));

  const toolbar = h('form', { className: 'toolbar', role: 'search', onsubmit: (event) => { event.preventDefault(); clearTimeout(typing); searchNow(); } },
    h('div', { className: 'field' }, h('label', { for: 'q' }, 'Search'), search),
    select('mediaType', 'Type', 'mediaType', [['', 'All'], ['image', 'Images'], ['video', 'Videos'], ['file', 'Files']]),
    select('state', 'State', 'state', [['', 'Any'], ['active', 'Active'], ['revoked', 'Revoked'], ['invalid', 'Invalid']]),
    select('archived', 'Archived', 'archived', [['false', 'Not archived'], ['true', 'Archived'], ['', 'Any']]),
    profiles().length ? select('licenseProfile', 'Licence', 'licenseProfile', [['', 'Any'], ...profiles().map((p) => [p.handle, profileName(p)])]) : null,
    h('div', { className: 'field' }, h('label', { for: 'sort' }, 'Sort'), sortSelect),
    h('button', { type: 'submit', className: 'primary' }, 'Search'));
  offerBestMatch();

  main.replaceChildren(...[h('h1', { className: 'visually-hidden' }, 'Library'), writer ? uploader(() => load(true)) : null, toolbar, count, bar, grid, sentinel].filter(Boolean));
  load(true);
}

function kindOf(mimeType) {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  return 'file';
}

function uploader(onUploaded) {
  const list = h('ul', { className: 'uploads', id: 'uploads', 'aria-live': 'polite' });
  const input = h('input', { type: 'file', id: 'files', multiple: true });
  const zone = h('section', { className: 'drop', id: 'drop', 'aria-labelledby': 'upload-heading' },
    h('h2', { id: 'upload-heading', className: 'visually-hidden' }, 'Upload'),
    h('p', {}, 'Drop images, videos or files here, or ', h('label', { for: 'files', className: 'inline' }, 'choose files:')),
    input, list);

  async function upload(file) {
    const progress = h('progress', { max: 1, value: 0, 'aria-label': `Upload progress of ${file.name}` });
    const state = h('span', {}, 'Uploading…');
    list.append(h('li', { 'data-file': file.name }, h('span', {}, file.name), progress, state));
    try {
      const asset = await sendFile(file, progress);
      progress.value = 1;
      const extracted = asset.extracted || {};
      delete asset.extracted;
      state.textContent = 'Saving…';
      const title = (extracted.metadata && extracted.metadata.title) || file.name.replace(/\.[^.]+$/, '');
      const result = (await api('/import/mediaLibrary', { method: 'POST', body: { mediaLibraryEntries: [{ mediaType: kindOf(asset.mimeType), asset, metadata: { title } }] } })).results[0];
      if (!result.ok) throw new ApiError(result.status, result);
      state.replaceChildren(h('span', { className: 'done' }, 'Uploaded: '), h('a', { href: `#/entry/${encodeURIComponent(result.id)}` }, 'open'));
      onUploaded();
    } catch (e) {
      state.replaceChildren(h('span', { className: 'error', role: 'alert' }, `Refused: ${e.message}`));
    }
  }

  const take = (files) => { for (const file of files) upload(file); };
  input.addEventListener('change', () => { take(input.files); input.value = ''; });
  dropTarget = { zone, take };
  return zone;
}

// Files dropped anywhere on the page go to the library's uploader; a drop never makes the
// browser leave the page to show the file (also where there is no uploader).
let dropTarget = null;
const uploaderShown = () => dropTarget && document.contains(dropTarget.zone);
window.addEventListener('dragover', (event) => {
  event.preventDefault();
  if (uploaderShown()) dropTarget.zone.classList.add('over');
});
window.addEventListener('dragleave', (event) => {
  if (uploaderShown() && event.relatedTarget === null) dropTarget.zone.classList.remove('over');
});
window.addEventListener('drop', (event) => {
  event.preventDefault();
  if (!uploaderShown()) { say('Open the library (with a token that may write) to upload files.', 'error'); return; }
  dropTarget.zone.classList.remove('over');
  dropTarget.take(event.dataTransfer.files);
});

