// The entry page: preview, delivery URL, metadata form from the media type, rights, where used, keys.
import { main, h, say, api, busy, expired, token, servePath, sendFile, loadImage, titleOf, isImage, badge, loadMediaTypes, canWrite, dialog, inUse, sayOnNextScreen, leaving, screen, profiles, profileSelect } from './http.js';
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
      return chips(id, property, value);
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

/** A list of words (tags) as chips: Enter or a comma adds what was typed, × or Backspace removes. */
function chips(id, property, value) {
  const name = (property.ui && property.ui.label) || property.handle;
  const list = h('ul', { className: 'chips', id: `${id}-chips`, 'aria-label': name });
  const input = h('input', { id, type: 'text', placeholder: 'Add and press Enter' });
  const chip = (text) => {
    const item = h('li', { className: 'chip', 'data-value': text }, h('span', {}, text),
      h('button', { type: 'button', className: 'chip-remove', 'aria-label': `Remove ${text}`, onclick: () => { item.remove(); input.focus(); } }, '×'));
    return item;
  };
  const add = (text) => {
    for (const word of text.split(',').map((w) => w.trim()).filter(Boolean)) {
      if (![...list.children].some((li) => li.dataset.value === word)) list.append(chip(word));
    }
  };
  input.addEventListener('keydown', (event) => {
    if ((event.key === 'Enter' || event.key === ',') && input.value.trim()) {
      event.preventDefault();
      add(input.value);
      input.value = '';
    } else if (event.key === 'Backspace' && !input.value && list.lastElementChild) {
      list.lastElementChild.remove();
    }
  });
  const holder = h('div', { id: `${id}-holder`, className: 'chipfield', 'data-label-for': id }, list, input);
  holder.setWords = (words) => { list.replaceChildren(...(Array.isArray(words) ? words : []).map(chip)); input.value = ''; };
  holder.setWords(value);
  return holder;
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
  const select = profileSelect(id, value, '— none —');
  select.setAttribute('aria-describedby', `${id}-rules`);
  if (value && !all.some((p) => p.handle === value)) select.append(h('option', { value, selected: true }, `${value} (not configured)`));
  const swatch = h('span', { className: 'swatch', id: `${id}-swatch`, 'aria-hidden': 'true' });
  const rules = h('ul', { className: 'plain rules', id: `${id}-rules` });
  const show = () => {
    const profile = all.find((p) => p.handle === select.value);
    swatch.style.background = (profile && profile.color) || 'transparent';
    swatch.hidden = !profile;
    rules.replaceChildren(...rulesOf(profile));
  };
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
      // The chips, and what is typed but not yet added.
      const chipped = [...form.querySelectorAll(`#field-${CSS.escape(property.handle)}-chips > li`)].map((li) => li.dataset.value);
      const items = [...new Set([...chipped, ...el.value.split(',').map((s) => s.trim()).filter(Boolean)])];
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

/** Puts a value (in the API's shape) back into its control: the inverse of valueOf. */
function setValue(property, form, value) {
  const el = form.querySelector(`#field-${CSS.escape(property.handle)}`);
  switch (property.type) {
    case 'li-boolean':
    case 'li-invalid': el.checked = value === true; break;
    case 'li-string-list': form.querySelector(`#field-${CSS.escape(property.handle)}-holder`).setWords(value); break;
    case 'li-datetime': el.value = toLocalInput(value); break;
    case 'li-datetime-validity':
      form.querySelector(`#field-${CSS.escape(property.handle)}-from`).value = toLocalInput(value && value.from);
      form.querySelector(`#field-${CSS.escape(property.handle)}-to`).value = toLocalInput(value && value.to);
      break;
    case 'li-license-profile': el.value = value ?? ''; el.dispatchEvent(new Event('change')); break;
    default: el.value = value ?? '';
  }
}

/** The control a person types in: the field's element, or the first input of a group (chips, a window, the licence). */
const inputOf = (el) => (el.tagName === 'DIV' ? el.querySelector('input, select') : el);

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Saves the image as every reader gets it (serve-image with the token; with its edits, if any)
 * under its file name. Videos and files are offered only when delivered from another host (a
 * CDN): this server serves images alone.
 */
function download(entry) {
  const asset = entry.asset || {};
  if (!isImage(entry)) {
    const elsewhere = asset.url && new URL(asset.url, location.href).origin !== location.origin;
    return elsewhere ? h('a', { className: 'button', id: 'download', href: asset.url, target: '_blank', rel: 'noopener' }, 'Open the file') : null;
  }
  const button = h('button', { type: 'button', id: 'download', onclick: () => busy(button.parentElement, async () => {
    const response = await fetch(servePath(asset.key), { headers: { Authorization: `Bearer ${token()}` } });
    if (response.status === 401) { expired(); return; }
    if (!response.ok) { say(response.status === 403 ? `Refused: this entry is ${entry.state}.` : `The server answered ${response.status}.`, 'error'); return; }
    const url = URL.createObjectURL(await response.blob());
    const link = h('a', { href: url, download: asset.filename || entry.id, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    say(`Downloading ${asset.filename || entry.id}.`);
  }) }, entry.imageEdits ? 'Download (with its edits)' : 'Download');
  return button;
}

/** Replaces the entry's file: stores the chosen file, then replaceAsset on the version shown. */
function replaceFile(entry, rerender) {
  const input = h('input', { type: 'file', id: 'replace-file' });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Upload progress of the new file' });
  const field = h('div', { className: 'field' });
  input.addEventListener('change', () => busy(field, async () => {
    const file = input.files[0];
    if (!file) return;
    progress.hidden = false;
    try {
      const asset = await sendFile(file, progress);
      delete asset.extracted;
      await api(`/mediaLibrary/${encodeURIComponent(entry.id)}`, { method: 'PATCH', body: { version: entry.version, patches: [{ operation: 'replaceAsset', value: asset }] } });
      say(`Replaced the file with ${file.name}.`);
      rerender();
    } catch (e) {
      progress.hidden = true;
      input.value = '';
      if (e.status === 401) return;
      say(e.status === 409 ? 'Someone changed this entry meanwhile; reload to see their version.' : `Not replaced: ${e.message}`, 'error');
    }
  }));
  field.append(h('label', { for: 'replace-file' }, 'Replace the file'), input, progress);
  return field;
}

/**
 * Translations (per-locale metadata and asset): each shown with its text fields and its file;
 * a writer adds, edits and removes them (setTranslation, removeAsset, removeTranslation).
 */
function translationsPanel(entry, type, writer, rerender) {
  const texts = type.metadata.filter((p) => p.type === 'li-text');
  const label = (p) => (p.ui && p.ui.label) || p.handle;
  const send = (patches, done) => busy(document.getElementById('translations'), async () => {
    try {
      await api(`/mediaLibrary/${encodeURIComponent(entry.id)}`, { method: 'PATCH', body: { version: entry.version, patches } });
      say(done);
      rerender();
      return null;
    } catch (e) {
      if (e.status === 401) return null;
      say(e.status === 409 ? 'Someone changed this entry meanwhile; reload to see their version.' : `Not saved: ${e.message}`, 'error');
      return e;
    }
  });
  const items = (entry.translations || []).map((t) => {
    const locale = t.locale;
    const slug = locale.replace(/[^a-zA-Z0-9-]/g, '');
    const metadata = t.metadata || {};
    const asset = t.asset;
    const preview = asset && isImage({ asset })
      ? h('img', { className: 'thumb', id: `tr-${slug}-preview`, alt: `${titleOf(entry)} (${locale})` })
      : null;
    if (preview) loadImage(preview, asset.key, 'w=240&fit=max&auto=format', `Refused: this entry is ${entry.state}`);
    const file = asset ? h('p', { id: `tr-${slug}-file` }, preview, ' ', asset.filename || asset.key) : h('p', { className: 'hint' }, 'No file of its own: the entry\'s file is used.');
    if (!writer) {
      return h('article', { className: 'translation', 'data-locale': locale, 'aria-labelledby': `tr-${slug}-heading` },
        h('h3', { id: `tr-${slug}-heading`, lang: locale }, locale),
        h('dl', { className: 'facts' }, Object.entries(metadata).map(([k, v]) => [h('dt', {}, label(texts.find((p) => p.handle === k) || { handle: k })), h('dd', { lang: locale }, typeof v === 'string' ? v : JSON.stringify(v))])),
        file);
    }
    const inputs = texts.map((p) => {
      const input = h('input', { type: 'text', id: `tr-${slug}-${p.handle}`, value: typeof metadata[p.handle] === 'string' ? metadata[p.handle] : '', maxlength: p.config && p.config.maxLength, lang: locale, 'data-handle': p.handle, 'aria-describedby': `tr-${slug}-error` });
      input.dataset.original = input.value;
      return input;
    });
    const error = h('p', { className: 'error', id: `tr-${slug}-error`, role: 'alert' });
    const upload = h('input', { type: 'file', id: `tr-${slug}-upload` });
    upload.addEventListener('change', () => busy(document.getElementById('translations'), async () => {
      if (!upload.files[0]) return;
      let stored;
      try {
        stored = await sendFile(upload.files[0]);
      } catch (e) {
        upload.value = '';
        if (e.status !== 401) say(`Not stored: ${e.message}`, 'error');
        return;
      }
      delete stored.extracted;
      await send([{ operation: 'setTranslation', locale, asset: stored }], `The ${locale} file is set.`);
    }));
    const form = h('form', { className: 'form translation', 'data-locale': locale, 'aria-labelledby': `tr-${slug}-heading`, onsubmit: async (event) => {
      event.preventDefault();
      error.textContent = '';
      // Text fields as edited; other properties of the translation stay as they are.
      const next = { ...metadata };
      for (const input of inputs) {
        if (input.value.trim()) next[input.dataset.handle] = input.value.trim();
        else delete next[input.dataset.handle];
      }
      const failed = await send([{ operation: 'setTranslation', locale, metadata: next }], `The ${locale} translation is saved.`);
      if (failed && failed.body && failed.body.error_details) {
        error.textContent = Object.entries(failed.body.error_details).map(([k, v]) => `${k.replace(/^patches\.0\.metadata\./, '')}: ${v}`).join('; ');
      }
    } },
      h('h3', { id: `tr-${slug}-heading`, lang: locale }, locale),
      inputs.map((input) => h('div', { className: 'field' }, h('label', { for: input.id }, `${label(texts.find((p) => p.handle === input.dataset.handle))} (${locale})`), input)),
      error,
      file,
      type.asset && type.asset.translatable === false ? null : h('div', { className: 'field' }, h('label', { for: upload.id }, asset ? `Replace the ${locale} file` : `A file for ${locale}`), upload),
      h('div', { className: 'row' },
        h('button', { type: 'submit', className: 'primary', id: `tr-${slug}-save` }, 'Save'),
        asset ? h('button', { type: 'button', id: `tr-${slug}-remove-asset`, onclick: () => send([{ operation: 'removeAsset', locale }], `The ${locale} file is removed.`) }, 'Remove file') : null,
        h('button', { type: 'button', className: 'danger', id: `tr-${slug}-remove`, onclick: () => dialog(`Remove the ${locale} translation?`,
          h('p', {}, 'Its texts and file go; the entry and its other translations stay.'),
          'Remove', () => send([{ operation: 'removeTranslation', locale }], `The ${locale} translation is removed.`), true) }, 'Remove translation')));
    return form;
  });
  const add = writer ? (() => {
    const input = h('input', { type: 'text', id: 'new-locale', placeholder: 'fr, de-CH', pattern: '[a-z][a-zA-Z0-9-]+', 'aria-describedby': 'new-locale-hint' });
    return h('form', { className: 'row', id: 'add-translation', noValidate: true, onsubmit: (event) => {
      event.preventDefault();
      const locale = input.value.trim();
      if (!locale) { input.focus(); return; }
      send([{ operation: 'setTranslation', locale }], `A ${locale} translation is added.`);
    } },
      h('label', { for: 'new-locale' }, 'Add a translation'), input,
      h('button', { type: 'submit', id: 'add-translation-button' }, 'Add'),
      h('p', { className: 'hint', id: 'new-locale-hint' }, 'A locale like fr or de-CH.'));
  })() : null;
  return h('section', { className: 'panel', id: 'translations', 'aria-labelledby': 'translations-heading' },
    h('h2', { id: 'translations-heading' }, 'Translations'),
    items.length ? items : h('p', {}, 'No translations.'),
    add);
}

/**
 * The entry page. `drafts` are edits not yet saved on the page drawn before (metadata values by
 * property, translation fields by id): a save or an action elsewhere on the page draws it again
 * and keeps them, still unsaved.
 */
export async function renderEntry(id, drafts = null) {
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
  const snapshot = () => {
    const kept = { metadata: new Map(), fields: new Map() };
    if (!document.contains(form)) return kept;
    for (const { property } of editable) {
      const value = valueOf(property, form);
      if (!same(value, initial.get(property.handle))) kept.metadata.set(property.handle, value);
    }
    for (const input of document.querySelectorAll('#translations input[data-original]')) {
      if (input.value !== input.dataset.original) kept.fields.set(input.id, input.value);
    }
    return kept;
  };
  // Draws the page again (after a save or an action), keeping what is still being edited.
  const reload = () => renderEntry(entry.id, snapshot());
  leaving.guard = () => {
    const kept = snapshot();
    return kept.metadata.size || kept.fields.size ? 'Leave this entry without saving your changes?' : null;
  };
  if (!writer) {
    // A read-only token sees the values; nothing it could not save is offered.
    for (const control of form.querySelectorAll('input, textarea, select, button')) control.disabled = true;
    form.querySelector('#save').remove();
  }
  form.addEventListener('submit', (event) => busy(form, async () => {
    event.preventDefault();
    for (const { error, el } of fieldErrors.values()) { error.textContent = ''; inputOf(el).removeAttribute('aria-invalid'); inputOf(el).removeAttribute('aria-describedby'); }
    const changed = editable.map(({ property }) => ({ property, value: valueOf(property, form) }))
      .filter(({ property, value }) => !same(value, initial.get(property.handle)));
    if (!changed.length) { say('Nothing changed.'); return; }
    const patches = changed.map(({ property, value }) => ({ operation: 'setMetadataProperty', propertyName: property.handle, value }));
    try {
      await api(`/mediaLibrary/${encodeURIComponent(entry.id)}`, { method: 'PATCH', body: { version: entry.version, patches } });
      say('Saved.');
      reload();
    } catch (e) {
      if (e.status === 401) return;
      const details = (e.body && e.body.error_details) || {};
      let placed = false;
      for (const [key, message] of Object.entries(details)) {
        const match = /^patches\.(\d+)/.exec(key);
        const target = match && changed[Number(match[1])] && fieldErrors.get(changed[Number(match[1])].property.handle);
        if (target) {
          target.error.textContent = typeof message === 'string' ? message : JSON.stringify(message);
          inputOf(target.el).setAttribute('aria-invalid', 'true');
          inputOf(target.el).setAttribute('aria-describedby', target.error.id);
          // Focused once the form is enabled again (it is busy until this handler returns).
          if (!placed) setTimeout(() => inputOf(target.el).focus(), 0);
          placed = true;
        }
      }
      say(e.status === 409 ? 'Someone changed this entry meanwhile; reload to see their version.' : placed ? 'Not saved: see the messages beside the fields.' : `Not saved: ${e.message}`, 'error');
    }
  }));

  // Rights: revoke with a note, unrevoke, archive
  const patch = (operation, extra = {}, done = 'Done.') => busy(rights, async () => {
    try {
      await api(`/mediaLibrary/${encodeURIComponent(entry.id)}`, { method: 'PATCH', body: { patches: [{ operation, ...extra }] } });
      say(done);
      reload();
    } catch (e) { if (e.status !== 401) say(e.message, 'error'); }
  });
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
        isImage(entry) && writer ? imageEditor(entry, title, reload) : null,
        h('section', { className: 'panel', 'aria-labelledby': 'delivery-heading' }, h('h2', { id: 'delivery-heading' }, 'Delivery URL'),
          h('div', { className: 'row copy' }, h('label', { for: 'delivery-url', className: 'visually-hidden' }, 'Delivery URL'), url, copy),
          h('p', {}, download(entry))),
        h('section', { className: 'panel', 'aria-labelledby': 'facts-heading' }, h('h2', { id: 'facts-heading' }, 'File'), facts,
          writer && !(type.asset && type.asset.replaceable === false) ? replaceFile(entry, reload) : null),
        keys),
      h('div', {},
        rights,
        used,
        h('section', { className: 'panel', 'aria-labelledby': 'metadata-heading' }, h('h2', { id: 'metadata-heading' }, 'Metadata'), form),
        translationsPanel(entry, type, writer, reload))));

  // What was being edited when the page was drawn again is put back, still unsaved.
  for (const [handle, value] of (drafts && drafts.metadata) || []) {
    const field = editable.find((f) => f.property.handle === handle);
    if (field) setValue(field.property, form, value);
  }
  for (const [fieldId, value] of (drafts && drafts.fields) || []) {
    const input = document.getElementById(fieldId);
    if (input) input.value = value;
  }

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
      h('a', { href: `#/document/${encodeURIComponent(d.id)}`, className: 'doc-link' }, h('strong', {}, (system && system.title) || `Document ${d.id}`)),
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

