// The entry page: preview, delivery URL, metadata form from the media type, rights, where used, keys.
import { main, h, say, api, loadImage, titleOf, isImage, badge, loadMediaTypes, canWrite, dialog, inUse, sayOnNextScreen, leaving, screen, profiles, profileName, profileDot } from './http.js';
import { imageEditor } from './editor.js';

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
    case 'li-license-profile':
      return licenseControl(id, value);
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

const COST = { free: 'free', low: 'low cost', standard: 'standard cost', high: 'high cost' };
const BILLING = { always: 'billed every time', never: 'never billed' };

/** The profile's rules in words, one per usage purpose. */
function rulesOf(profile) {
  if (!profile) return [h('li', {}, 'No licence profile: a publication that checks licences refuses this entry.')];
  const rules = Object.entries(profile.rules || {}).map(([purpose, rule]) =>
    h('li', {}, `${purpose}: ${COST[rule.costClass] || rule.costClass}, ${BILLING[rule.billingMode] || 'billing decided per use'}`));
  if (profile.approvalRequired) rules.push(h('li', {}, 'Each document needs an approval before it publishes this entry.'));
  return rules.length ? rules : [h('li', {}, 'No purpose is covered.')];
}

/** The licence profile dropdown (SPEC §15): each option with its colour, the chosen profile's rules below. */
function licenseControl(id, value) {
  const all = profiles();
  const select = h('select', { id, 'aria-describedby': `${id}-rules` }, h('option', { value: '' }, '— none —'),
    all.map((p) => h('option', { value: p.handle, selected: p.handle === value, 'data-color': p.color || '' }, profileName(p))),
    value && !all.some((p) => p.handle === value) ? h('option', { value, selected: true }, `${value} (not configured)`) : null);
  const swatch = h('span', { className: 'swatch', id: `${id}-swatch`, 'aria-hidden': 'true' });
  const rules = h('ul', { className: 'plain rules', id: `${id}-rules` });
  const show = () => {
    const profile = all.find((p) => p.handle === select.value);
    swatch.style.background = (profile && profile.color) || 'transparent';
    swatch.hidden = !profile;
    rules.replaceChildren(...rulesOf(profile));
  };
  for (const option of select.options) if (option.dataset.color) option.style.color = option.dataset.color;
  select.addEventListener('change', show);
  show();
  return h('div', { id: `${id}-holder`, 'data-label-for': id }, h('div', { className: 'row' }, swatch, select), rules);
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

export async function renderEntry(id) {
  main.replaceChildren(h('p', {}, 'Loading…'));
  const mine = screen.id;
  let entry;
  let types;
  let writer;
  try {
    [entry, types, writer] = await Promise.all([api(`/mediaLibrary/${encodeURIComponent(id)}`), loadMediaTypes(), canWrite().catch(() => false)]);
  } catch (e) {
    if (e.status !== 401 && mine === screen.id) main.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, e.message), h('a', { href: '#/' }, 'Back to the library'));
    return;
  }
  if (mine !== screen.id) return;
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
      const label = h('label', { for: el.dataset.labelFor || (el.tagName === 'DIV' ? `${el.id}-from` : el.id) }, (property.ui && property.ui.label) || property.handle, property.required ? ' (required)' : '');
      return h('div', { className: 'field' }, label, el, property.config && property.config.maxLength ? h('p', { className: 'hint' }, `At most ${property.config.maxLength} characters`) : null, error);
    }),
    h('button', { type: 'submit', className: 'primary', id: 'save' }, 'Save'));
  // What each control showed at first, in the API's shape: a property is sent only when its
  // control changed, so a date shown in local time (and read back in UTC) is not rewritten.
  const initial = new Map(editable.map(({ property }) => [property.handle, valueOf(property, form)]));
  // Leaving with changed fields asks first (the router and the browser both ask leaving.guard).
  leaving.guard = () => (document.contains(form) && editable.some(({ property }) => !same(valueOf(property, form), initial.get(property.handle)))
    ? 'Leave this entry without saving your changes?' : null);
  if (!writer) {
    // A read-only token sees the values; nothing it could not save is offered.
    for (const control of form.querySelectorAll('input, textarea, select')) control.disabled = true;
    form.querySelector('#save').remove();
  }
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
          if (!placed) (target.el.tagName === 'DIV' ? target.el.querySelector('input, select') : target.el).focus();
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
    !writer ? (entry.revokeNote ? h('p', { id: 'revoke-note-shown' }, `Note: ${entry.revokeNote}`) : null) : entry.state === 'revoked'
      ? [entry.revokeNote ? h('p', { id: 'revoke-note-shown' }, `Note: ${entry.revokeNote}`) : null,
        h('button', { type: 'button', id: 'unrevoke', onclick: () => patch('unrevokeAsset', {}, 'Unrevoked.') }, 'Unrevoke')]
      : [h('div', { className: 'field' }, h('label', { for: 'revoke-note' }, 'Note (why, for whom)'), note),
        h('button', { type: 'button', className: 'danger', id: 'revoke', onclick: () => dialog('Revoke this entry?',
          h('p', {}, 'Delivery of its file stops at once, everywhere.', note.value.trim() ? ` Note: ${note.value.trim()}` : ''),
          'Revoke', () => patch('revokeAsset', note.value.trim() ? { note: note.value.trim() } : {}, 'Revoked: delivery stops at once.'), true) }, 'Revoke')],
    ' ',
    !writer ? (entry.archived ? h('span', {}, 'Archived') : null)
      : entry.archived
        ? h('button', { type: 'button', id: 'unarchive', onclick: () => dialog('Unarchive this entry?', h('p', {}, 'It shows in the library again, and a deletion routine may delete it once it is not in use.'),
          'Unarchive', () => patch('unarchive', {}, 'Unarchived.')) }, 'Unarchive')
        : h('button', { type: 'button', id: 'archive', onclick: () => patch('archive', {}, 'Archived.') }, 'Archive'),
    ' ',
    writer ? h('button', { type: 'button', className: 'danger', id: 'delete', onclick: () => dialog('Delete this entry?',
      h('p', {}, 'It and its files are gone for good. An entry in use (published, referenced, in a usage log, or archived) is not deleted.'),
      'Delete', async () => {
        try {
          await api(`/mediaLibrary/${encodeURIComponent(entry.id)}?version=${entry.version}`, { method: 'DELETE' });
          sayOnNextScreen(`Deleted “${title}”.`);
          location.hash = '#/';
        } catch (e) {
          if (e.status !== 401) say(e.status === 409 ? `Not deleted: ${inUse(e.body)}.` : `Not deleted: ${e.message}`, 'error');
        }
      }, true) }, 'Delete') : null);

  // Where used, keys
  const used = h('section', { className: 'panel', id: 'where-used', 'aria-labelledby': 'used-heading' }, h('h2', { id: 'used-heading' }, 'Where used'), h('p', {}, 'Loading…'));
  const keys = h('section', { className: 'panel', 'aria-labelledby': 'keys-heading' }, h('h2', { id: 'keys-heading' }, 'Keys'), h('ul', { className: 'plain', id: 'keys' }));

  main.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← Library')),
    h('h1', {}, title),
    h('div', { className: 'entry' },
      h('div', {},
        h('section', { className: 'panel', 'aria-label': 'Preview' }, preview),
        isImage(entry) && writer ? imageEditor(entry, title, () => renderEntry(entry.id)) : null,
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
  const docs = (documents && documents.results) || [];
  // Each document by its title (latestPublication's systemdata.title), with its publication date.
  const publications = await Promise.all(docs.map((d) => api(`/documents/${encodeURIComponent(d.id)}/latestPublication`).catch(() => null)));
  docs.forEach((d, i) => {
    const system = publications[i] && publications[i].systemdata;
    usedItems.push(h('li', { 'data-document': d.id },
      h('strong', {}, (system && system.title) || `Document ${d.id}`),
      system ? `, published ${new Date(system.lastPublicationDate).toLocaleString()}` : '',
      ` (document ${d.id}: ${d.references.map((r) => r.location).join(', ')})`));
  });
  for (const m of (media && media.results) || []) {
    usedItems.push(h('li', {}, 'Media entry ', h('a', { href: `#/entry/${encodeURIComponent(m.id)}` }, m.id), ` (${m.references.map((r) => r.propertyName || r.location).join(', ')})`));
  }
  const usage = (log && log.results) || [];
  const usageTable = usage.length ? h('table', { className: 'usage', id: 'usage-log' },
    h('caption', {}, 'Usage log'),
    h('thead', {}, h('tr', {}, ['Purpose', 'State', 'Published', 'Document', 'Billing'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, usage.map((u) => h('tr', {},
      h('td', {}, u.purpose), h('td', {}, u.state),
      h('td', {}, u.publicationDate ? new Date(u.publicationDate).toLocaleString() : '–'),
      h('td', {}, u.documentId ? String(u.documentId) : '–'),
      h('td', {}, u.billing === undefined || u.billing === null ? '–' : String(u.billing)))))) : null;
  used.replaceChildren(...[h('h2', { id: 'used-heading' }, 'Where used'),
    usedItems.length ? h('ul', { className: 'plain', id: 'where-used-list' }, usedItems) : null,
    usageTable,
    usedItems.length || usageTable ? null : h('p', {}, 'Not used in any published document, media entry or usage log.')].filter(Boolean));
  document.getElementById('keys').replaceChildren(...((keyList && keyList.results) || []).map((k) => h('li', {}, h('code', {}, k))));
}

