// The library: search, filters, a grid of thumbnails with endless scrolling, and upload.
import { API, main, h, say, token, api, ApiError, loadImage, titleOf, isImage, badge } from './http.js';

const PAGE = 40;

const library = { q: '', mediaType: '', state: '', archived: '', sort: '-updatedAt' };

export function renderLibrary() {
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

  function tile(entry) {
    const alt = titleOf(entry);
    const picture = isImage(entry)
      ? h('img', { className: 'thumb', alt, 'data-key': entry.asset.key })
      : h('div', { className: 'thumb placeholder', role: 'img', 'aria-label': `${alt} (${entry.mediaType})` }, entry.mediaType);
    if (picture.tagName === 'IMG') thumbs.observe(picture);
    return h('li', { className: 'tile', 'data-id': entry.id },
      h('a', { href: `#/entry/${encodeURIComponent(entry.id)}` }, picture,
        h('div', { className: 'meta' }, h('div', { className: 'title' }, alt), badge(entry))));
  }

  async function load(reset) {
    if (loading && !reset) return;
    const mine = reset ? ++generation : generation;
    loading = true;
    const params = new URLSearchParams({ limit: String(PAGE), sort: library.sort });
    for (const name of ['q', 'mediaType', 'state', 'archived']) if (library[name]) params.set(name, library[name]);
    if (!reset && cursor) params.set('after', cursor);
    try {
      const page = await api(`/search/mediaLibrary?${params}`);
      if (mine !== generation) return;
      if (reset) grid.replaceChildren();
      grid.append(...page.results.map(tile));
      cursor = page.cursor;
      more.hidden = !cursor;
      const total = page.totalRelation === 'gte' ? `${page.total.toLocaleString('en')}+` : page.total.toLocaleString('en');
      count.textContent = page.total === 0
        ? (library.q || library.mediaType || library.state || library.archived ? 'Nothing matches these words and filters.' : 'The library is empty: drop files above to start.')
        : `${total} ${page.total === 1 ? 'entry' : 'entries'}, ${grid.children.length} shown`;
    } catch (e) {
      if (e.status !== 401) say(e.message, 'error');
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
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => { library.q = search.value.trim(); load(true); }, 250);
  });

  const select = (id, label, name, options) => h('div', { className: 'field' }, h('label', { for: id }, label),
    h('select', { id, onchange: (event) => { library[name] = event.target.value; load(true); } },
      options.map(([value, text]) => h('option', { value, selected: library[name] === value }, text))));

  const toolbar = h('form', { className: 'toolbar', role: 'search', onsubmit: (event) => { event.preventDefault(); clearTimeout(typing); library.q = search.value.trim(); load(true); } },
    h('div', { className: 'field' }, h('label', { for: 'q' }, 'Search'), search),
    select('mediaType', 'Type', 'mediaType', [['', 'All'], ['image', 'Images'], ['video', 'Videos'], ['file', 'Files']]),
    select('state', 'State', 'state', [['', 'Any'], ['active', 'Active'], ['revoked', 'Revoked'], ['invalid', 'Invalid']]),
    select('archived', 'Archived', 'archived', [['', 'Any'], ['false', 'Not archived'], ['true', 'Archived']]),
    select('sort', 'Sort', 'sort', [['-updatedAt', 'Recently updated'], ['-createdAt', 'Newest'], ['createdAt', 'Oldest'], ['relevance', 'Best match']]),
    h('button', { type: 'submit', className: 'primary' }, 'Search'));

  main.replaceChildren(h('h1', { className: 'visually-hidden' }, 'Library'), uploader(() => load(true)), toolbar, count, grid, sentinel);
  load(true);
}

function kindOf(mimeType) {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  return 'file';
}

/** Sends one file with progress (XMLHttpRequest reports upload progress; fetch does not). */
function send(file, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API}/mediaLibrary/assets?filename=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token()}`);
    xhr.upload.addEventListener('progress', (event) => { if (event.lengthComputable) progress.value = event.loaded / event.total; });
    xhr.addEventListener('load', () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 201) resolve(body);
      else reject(new ApiError(xhr.status, body));
    });
    xhr.addEventListener('error', () => reject(new Error('The upload did not reach the server.')));
    xhr.send(file);
  });
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
      const asset = await send(file, progress);
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
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => { event.preventDefault(); zone.classList.remove('over'); take(event.dataTransfer.files); });
  return zone;
}

