// MediaLibrary in the browser (SPEC §13). Plain JavaScript, no build step, no network beyond
// this server's public API. The token lives in sessionStorage and travels only as a bearer header.
const API = '/api/2026-05';
const TOKEN_KEY = 'medialibrary.token';
const PAGE = 40;

const main = document.getElementById('main');
const statusBox = document.getElementById('status');

// ---- small helpers -------------------------------------------------------------------------

/** Builds an element: h('a', {href: '#/'}, 'text', child). Text is always text, never HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'className') el.className = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function say(message, kind = 'info') {
  statusBox.textContent = message;
  statusBox.className = kind === 'error' ? 'status error' : 'status';
}

const token = () => sessionStorage.getItem(TOKEN_KEY);

class ApiError extends Error {
  constructor(status, body) {
    super(describeError(status, body));
    this.status = status;
    this.body = body;
  }
}

/** The server's own words from the error envelope ({status, error, error_details}). */
function describeError(status, body) {
  const details = body && body.error_details;
  if (details && typeof details === 'object') {
    if (typeof details.message === 'string') return details.message;
    const parts = Object.entries(details).map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
    if (parts.length) return parts.join('; ');
  }
  return (body && body.error) || `The server answered ${status}`;
}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (response.status === 401) {
    signOut('Your token was not accepted (expired or revoked). Sign in again.');
    throw new ApiError(401, json);
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

const servePath = (key) => `${API}/mediaLibrary/serve-image/${key.split('/').map(encodeURIComponent).join('/')}`;

/** Fetches an image with the bearer header and shows it from memory (an <img src> cannot send one). */
async function loadImage(img, key, query, refusedText) {
  // no-cache: the browser asks again (with its ETag) every time, so a revoked image is refused at once.
  const response = await fetch(`${servePath(key)}?${query}`, { headers: { Authorization: `Bearer ${token()}` }, cache: 'no-cache' });
  if (!response.ok) {
    const refused = response.status === 403;
    const holder = h('div', { className: `${img.className} placeholder`, role: 'img', 'aria-label': `${img.alt} (${refused ? refusedText : 'no preview'})`, 'data-refused': refused ? 'true' : null },
      refused ? refusedText : 'No preview');
    img.replaceWith(holder);
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  img.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
  img.src = url;
}

const titleOf = (entry) => (entry.metadata && entry.metadata.title) || (entry.asset && entry.asset.filename) || entry.id;
const isImage = (entry) => entry.asset && typeof entry.asset.mimeType === 'string' && entry.asset.mimeType.startsWith('image/') && entry.asset.key;

function badge(entry) {
  return [h('span', { className: `badge ${entry.state}` }, entry.state), entry.archived ? h('span', { className: 'badge' }, 'archived') : null];
}

let mediaTypes = null;
async function loadMediaTypes() {
  if (!mediaTypes) mediaTypes = (await api('/mediaTypes')).results;
  return mediaTypes;
}

// ---- sign in -------------------------------------------------------------------------------

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  mediaTypes = null;
  document.getElementById('account').hidden = true;
  if (message) say(message, 'error');
  if (location.hash !== '#/signin') location.hash = '#/signin';
  else render();
}

function renderSignIn() {
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'token-help' });
  const error = h('p', { className: 'error', id: 'signin-error', role: 'alert' });
  const form = h('form', { className: 'signin', onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = '';
    const value = input.value.trim();
    const response = await fetch(`${API}/search/mediaLibrary?limit=1`, { headers: { Authorization: `Bearer ${value}` } });
    if (response.status === 401) { error.textContent = 'The server did not accept this token.'; input.focus(); return; }
    if (response.status === 403) { error.textContent = 'This token may not read the library (it needs the public-api:read scope).'; input.focus(); return; }
    if (!response.ok) { error.textContent = `The server answered ${response.status}.`; return; }
    sessionStorage.setItem(TOKEN_KEY, value);
    say('');
    location.hash = '#/';
  } },
    h('h1', {}, 'Sign in'),
    h('div', { className: 'field' }, h('label', { for: 'token' }, 'API token'), input),
    h('p', { id: 'token-help' }, 'Create one on the server with ',
      h('code', {}, 'dotnet run --project src/MediaLibrary -- token create --name me --scopes public-api:read,public-api:write'),
      '. It is kept in this browser tab only.'),
    error,
    h('button', { className: 'primary', type: 'submit' }, 'Sign in'));
  main.replaceChildren(form);
  input.focus();
}

// ---- library: search, filters, endless scrolling, upload ----------------------------------

const library = { q: '', mediaType: '', state: '', archived: '', sort: '-updatedAt' };

function renderLibrary() {
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
      count.textContent = `${total} ${page.total === 1 ? 'entry' : 'entries'}, ${grid.children.length} shown`;
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

// ---- entry page ----------------------------------------------------------------------------

/** A form control for one metadata property, by its type (SPEC §6); null for types edited elsewhere. */
function control(property, value) {
  const id = `field-${property.handle}`;
  const config = property.config || {};
  switch (property.type) {
    case 'li-text':
      return (config.maxLength || 0) > 200
        ? h('textarea', { id, rows: 3, maxlength: config.maxLength }, value ?? '')
        : h('input', { id, type: 'text', value: value ?? '', maxlength: config.maxLength });
    case 'li-integer':
      return h('input', { id, type: 'number', step: 1, min: config.min, max: config.max, value: value ?? '' });
    case 'li-boolean':
    case 'li-invalid':
      return h('input', { id, type: 'checkbox', checked: value === true });
    case 'li-enum':
      return h('select', { id }, h('option', { value: '' }, '—'),
        (config.options || []).map((o) => h('option', { value: o.value, selected: o.value === value }, o.label || o.value)));
    case 'li-string-list':
      return h('input', { id, type: 'text', value: Array.isArray(value) ? value.join(', ') : '', 'data-list': 'true' });
    case 'li-date':
      return h('input', { id, type: 'date', value: value ?? '' });
    case 'li-datetime':
      return h('input', { id, type: 'datetime-local', step: 1, value: toLocalInput(value) });
    case 'li-datetime-validity':
      return h('div', { id, className: 'row', role: 'group', 'aria-label': `${property.handle} window` },
        h('label', { for: `${id}-from` }, 'from'), h('input', { id: `${id}-from`, type: 'datetime-local', step: 1, value: toLocalInput(value && value.from) }),
        h('label', { for: `${id}-to` }, 'to'), h('input', { id: `${id}-to`, type: 'datetime-local', step: 1, value: toLocalInput(value && value.to) }));
    default:
      return null;
  }
}

function toLocalInput(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 19);
}

const fromLocalInput = (text) => (text ? new Date(text).toISOString() : null);

/** The value a control holds now, in the shape the API takes. */
function valueOf(property, form) {
  const el = form.querySelector(`#field-${CSS.escape(property.handle)}`);
  switch (property.type) {
    case 'li-integer': return el.value === '' ? null : Number(el.value);
    case 'li-boolean':
    case 'li-invalid': return el.checked ? true : null;
    case 'li-string-list': {
      const items = el.value.split(',').map((s) => s.trim()).filter(Boolean);
      return items.length ? items : null;
    }
    case 'li-datetime': return fromLocalInput(el.value);
    case 'li-datetime-validity': {
      const from = fromLocalInput(form.querySelector(`#field-${CSS.escape(property.handle)}-from`).value);
      const to = fromLocalInput(form.querySelector(`#field-${CSS.escape(property.handle)}-to`).value);
      return from || to ? Object.fromEntries(Object.entries({ from, to }).filter(([, v]) => v)) : null;
    }
    default: return el.value === '' ? null : el.value;
  }
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

async function renderEntry(id) {
  main.replaceChildren(h('p', {}, 'Loading…'));
  let entry;
  let types;
  try {
    [entry, types] = await Promise.all([api(`/mediaLibrary/${encodeURIComponent(id)}`), loadMediaTypes()]);
  } catch (e) {
    if (e.status !== 401) main.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, e.message), h('a', { href: '#/' }, 'Back to the library'));
    return;
  }
  const type = types.find((t) => t.handle === entry.mediaType) || { metadata: [] };
  const title = titleOf(entry);

  // Preview and delivery
  const preview = isImage(entry)
    ? h('img', { className: 'preview', id: 'preview', alt: title })
    : h('div', { className: 'preview placeholder', role: 'img', 'aria-label': `${title} (${entry.mediaType})` }, entry.mediaType);
  if (preview.tagName === 'IMG') loadImage(preview, entry.asset.key, 'w=1200&fit=max&auto=format', `Refused: this ${entry.mediaType} is ${entry.state}`);
  const url = h('input', { id: 'delivery-url', type: 'text', readonly: true, value: entry.asset.url || '' });
  const copy = h('button', { type: 'button', onclick: async () => {
    try { await navigator.clipboard.writeText(url.value); say('Delivery URL copied.'); } catch { url.select(); say('Press Ctrl+C to copy the selected URL.'); }
  } }, 'Copy');
  const asset = entry.asset || {};
  const facts = h('dl', { className: 'facts' },
    [['Id', entry.id], ['Type', entry.mediaType], ['Version', entry.version], ['File', asset.filename], ['MIME type', asset.mimeType],
      ['Size', asset.size !== undefined ? `${asset.size.toLocaleString()} bytes` : null], ['Dimensions', asset.width ? `${asset.width} × ${asset.height}` : null],
      ['Created', new Date(entry.createdAt).toLocaleString()], ['Updated', new Date(entry.updatedAt).toLocaleString()]]
      .filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));

  // Metadata form
  const editable = type.metadata.map((p) => ({ property: p, el: control(p, entry.metadata[p.handle]) })).filter((f) => f.el);
  const fieldErrors = new Map();
  const form = h('form', { className: 'form', id: 'metadata', noValidate: true },
    editable.map(({ property, el }) => {
      const error = h('p', { className: 'error', id: `error-${property.handle}`, role: 'alert' });
      fieldErrors.set(property.handle, { error, el });
      const label = h('label', { for: el.tagName === 'DIV' ? `${el.id}-from` : el.id }, property.handle, property.required ? ' (required)' : '');
      return h('div', { className: 'field' }, label, el, property.config && property.config.maxLength ? h('p', { className: 'hint' }, `At most ${property.config.maxLength} characters`) : null, error);
    }),
    h('button', { type: 'submit', className: 'primary', id: 'save' }, 'Save'));
  // What each control showed at first, in the API's shape: a property is sent only when its
  // control changed, so a date shown in local time (and read back in UTC) is not rewritten.
  const initial = new Map(editable.map(({ property }) => [property.handle, valueOf(property, form)]));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const { error, el } of fieldErrors.values()) { error.textContent = ''; el.removeAttribute('aria-invalid'); el.removeAttribute('aria-describedby'); }
    const changed = editable.map(({ property }) => ({ property, value: valueOf(property, form) }))
      .filter(({ property, value }) => !same(value, initial.get(property.handle)));
    if (!changed.length) { say('Nothing changed.'); return; }
    const patches = changed.map(({ property, value }) => ({ operation: 'setMetadataProperty', propertyName: property.handle, value }));
    try {
      await api(`/mediaLibrary/${encodeURIComponent(entry.id)}`, { method: 'PATCH', body: { version: entry.version, patches } });
      say('Saved.');
      renderEntry(entry.id);
    } catch (e) {
      if (e.status === 401) return;
      const details = (e.body && e.body.error_details) || {};
      let placed = false;
      for (const [key, message] of Object.entries(details)) {
        const match = /^patches\.(\d+)/.exec(key);
        const target = match && changed[Number(match[1])] && fieldErrors.get(changed[Number(match[1])].property.handle);
        if (target) {
          target.error.textContent = typeof message === 'string' ? message : JSON.stringify(message);
          target.el.setAttribute('aria-invalid', 'true');
          target.el.setAttribute('aria-describedby', target.error.id);
          if (!placed) (target.el.tagName === 'DIV' ? target.el.querySelector('input') : target.el).focus();
          placed = true;
        }
      }
      say(e.status === 409 ? 'Someone changed this entry meanwhile; reload to see their version.' : placed ? 'Not saved: see the messages beside the fields.' : `Not saved: ${e.message}`, 'error');
    }
  });

  // Rights: revoke with a note, unrevoke, archive
  const patch = async (operation, extra = {}, done = 'Done.') => {
    try {
      await api(`/mediaLibrary/${encodeURIComponent(entry.id)}`, { method: 'PATCH', body: { patches: [{ operation, ...extra }] } });
      say(done);
      renderEntry(entry.id);
    } catch (e) { if (e.status !== 401) say(e.message, 'error'); }
  };
  const note = h('textarea', { id: 'revoke-note', rows: 2, maxlength: 200 });
  const rights = h('section', { className: 'panel', 'aria-labelledby': 'rights-heading' },
    h('h2', { id: 'rights-heading' }, 'Rights'),
    h('p', { id: 'state' }, 'State: ', badge(entry)),
    entry.state === 'revoked'
      ? [entry.revokeNote ? h('p', { id: 'revoke-note-shown' }, `Note: ${entry.revokeNote}`) : null,
        h('button', { type: 'button', id: 'unrevoke', onclick: () => patch('unrevokeAsset', {}, 'Unrevoked.') }, 'Unrevoke')]
      : [h('div', { className: 'field' }, h('label', { for: 'revoke-note' }, 'Note (why, for whom)'), note),
        h('button', { type: 'button', className: 'danger', id: 'revoke', onclick: () => patch('revokeAsset', note.value.trim() ? { note: note.value.trim() } : {}, 'Revoked: delivery stops at once.') }, 'Revoke')],
    ' ',
    entry.archived ? h('span', {}, 'Archived') : h('button', { type: 'button', id: 'archive', onclick: () => patch('archive', {}, 'Archived.') }, 'Archive'));

  // Where used, keys
  const used = h('section', { className: 'panel', id: 'where-used', 'aria-labelledby': 'used-heading' }, h('h2', { id: 'used-heading' }, 'Where used'), h('p', {}, 'Loading…'));
  const keys = h('section', { className: 'panel', 'aria-labelledby': 'keys-heading' }, h('h2', { id: 'keys-heading' }, 'Keys'), h('ul', { className: 'plain', id: 'keys' }));

  main.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← Library')),
    h('h1', {}, title),
    h('div', { className: 'entry' },
      h('div', {},
        h('section', { className: 'panel', 'aria-label': 'Preview' }, preview),
        h('section', { className: 'panel', 'aria-labelledby': 'delivery-heading' }, h('h2', { id: 'delivery-heading' }, 'Delivery URL'),
          h('div', { className: 'row copy' }, h('label', { for: 'delivery-url', className: 'visually-hidden' }, 'Delivery URL'), url, copy)),
        h('section', { className: 'panel', 'aria-labelledby': 'facts-heading' }, h('h2', { id: 'facts-heading' }, 'File'), facts),
        keys),
      h('div', {},
        rights,
        used,
        h('section', { className: 'panel', 'aria-labelledby': 'metadata-heading' }, h('h2', { id: 'metadata-heading' }, 'Metadata'), form))));

  const [documents, media, log, keyList] = await Promise.all([
    api(`/mediaLibrary/${encodeURIComponent(entry.id)}/incomingDocumentReferences`).catch(() => null),
    api(`/mediaLibrary/${encodeURIComponent(entry.id)}/incomingMediaReferences`).catch(() => null),
    api(`/mediaLibrary/${encodeURIComponent(entry.id)}/usageLog`).catch(() => null),
    api(`/mediaLibrary/${encodeURIComponent(entry.id)}/keys`).catch(() => null),
  ]);
  const usedItems = [];
  for (const d of (documents && documents.results) || []) {
    usedItems.push(h('li', {}, `Document ${d.id}`, ` (${d.references.map((r) => r.location).join(', ')})`));
  }
  for (const m of (media && media.results) || []) {
    usedItems.push(h('li', {}, 'Media entry ', h('a', { href: `#/entry/${encodeURIComponent(m.id)}` }, m.id), ` (${m.references.map((r) => r.propertyName || r.location).join(', ')})`));
  }
  for (const u of (log && log.results) || []) {
    usedItems.push(h('li', {}, `Usage: ${u.purpose}, ${u.state}`, u.publicationDate ? `, published ${new Date(u.publicationDate).toLocaleString()}` : '', u.documentId ? `, document ${u.documentId}` : ''));
  }
  used.replaceChildren(h('h2', { id: 'used-heading' }, 'Where used'),
    usedItems.length ? h('ul', { className: 'plain', id: 'where-used-list' }, usedItems) : h('p', {}, 'Not used in any published document, media entry or usage log.'));
  document.getElementById('keys').replaceChildren(...((keyList && keyList.results) || []).map((k) => h('li', {}, h('code', {}, k))));
}

// ---- routing -------------------------------------------------------------------------------

function render() {
  const hash = location.hash || '#/';
  if (!token()) {
    document.getElementById('account').hidden = true;
    renderSignIn();
    return;
  }
  document.getElementById('account').hidden = false;
  const entry = /^#\/entry\/(.+)$/.exec(hash);
  if (entry) renderEntry(decodeURIComponent(entry[1]));
  else if (hash === '#/signin') { location.hash = '#/'; }
  else renderLibrary();
  main.focus({ preventScroll: true });
}

document.getElementById('signout').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => { if (!statusBox.classList.contains('error')) say(''); render(); });
render();
