// What every screen shares: building elements, the status line, and calls to this server's
// public API with the token from sessionStorage (sent only as a bearer header).
export const API = '/api/2026-07';
export const TOKEN_KEY = 'medialibrary.token';

export const main = document.getElementById('main');
const statusBox = document.getElementById('status');

/** Which screen is current: a screen built after awaiting something draws only if it still is. */
export const screen = { id: 0 };

/** The screen's unsaved work: `guard()` returns a question to ask before leaving it, or null. */
export const leaving = { guard: null };

/** Called when the server refuses the token; the app signs out. */
export const session = { expired: (message) => { throw new Error(message); } };


/** Builds an element: h('a', {href: '#/'}, 'text', child). Text is always text, never HTML. */
export function h(tag, attrs = {}, ...children) {
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

// A message for the next screen (the router clears the status line when the screen changes).
let carried = null;
export const sayOnNextScreen = (message) => { carried = message; };
export const takeCarried = () => { const message = carried; carried = null; return message; };

export function say(message, kind = 'info') {
  statusBox.textContent = message;
  statusBox.className = kind === 'error' ? 'status error' : 'status';
}

/** The token of this tab, or the one remembered on this device (opt-in at sign-in, so an entry link opened in a new tab works). */
export const token = () => sessionStorage.getItem(TOKEN_KEY) || localStorage.getItem(TOKEN_KEY);

export class ApiError extends Error {
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

/** The token was refused (expired or revoked): back to the sign-in. */
export const expired = () => session.expired('Your token was not accepted (expired or revoked). Sign in again.');

/** Runs `work` with the controls inside `el` disabled, so a second click cannot send the same change again. */
export async function busy(el, work) {
  const controls = [...el.querySelectorAll('button, input, select, textarea')].filter((c) => !c.disabled);
  for (const c of controls) c.disabled = true;
  try {
    return await work();
  } finally {
    for (const c of controls) c.disabled = false;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (response.status === 401) {
    expired();
    throw new ApiError(401, json);
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

/** Stores one file (POST /mediaLibrary/assets) with progress (XMLHttpRequest reports upload progress; fetch does not); resolves to the asset. */
export function sendFile(file, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API}/mediaLibrary/assets?filename=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token()}`);
    xhr.upload.addEventListener('progress', (event) => { if (progress && event.lengthComputable) progress.value = event.loaded / event.total; });
    xhr.addEventListener('load', () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 201) resolve(body);
      else {
        if (xhr.status === 401) expired();
        reject(new ApiError(xhr.status, body));
      }
    });
    xhr.addEventListener('error', () => reject(new Error('The upload did not reach the server.')));
    xhr.send(file);
  });
}

export const servePath = (key) => `${API}/mediaLibrary/serve-image/${key.split('/').map(encodeURIComponent).join('/')}`;

/** Fetches an image with the bearer header and shows it from memory (an <img src> cannot send one). */
export async function loadImage(img, key, query, refusedText) {
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

export const titleOf = (entry) => (entry.metadata && entry.metadata.title) || (entry.asset && entry.asset.filename) || entry.id;
export const isImage = (entry) => entry.asset && typeof entry.asset.mimeType === 'string' && entry.asset.mimeType.startsWith('image/') && entry.asset.key;

export function badge(entry) {
  return [h('span', { className: `badge ${entry.state}` }, entry.state), entry.archived ? h('span', { className: 'badge' }, 'archived') : null];
}

let mediaTypes = null;
let licenseProfiles = [];
let whoAmI = null;
export const forgetMediaTypes = () => { mediaTypes = null; licenseProfiles = []; whoAmI = null; };

/** The configured licence profiles (SPEC §15), after loadMediaTypes; empty when there are none. */
export const profiles = () => licenseProfiles;

/** A profile's name for people: its English label, else its handle. */
export const profileName = (profile) => (profile.label && (profile.label.en || Object.values(profile.label)[0])) || profile.handle;

/** The entry's licence profile, when its media type has a licence property and the entry a known profile. */
export function profileOf(entry, types) {
  const type = (types || []).find((t) => t.handle === entry.mediaType);
  const property = type && type.metadata.find((p) => p.type === 'li-license-profile');
  const handle = property && entry.metadata ? entry.metadata[property.handle] : null;
  return handle ? licenseProfiles.find((p) => p.handle === handle) || { handle, label: null, color: null, unknown: true } : null;
}

/** A dropdown of the configured licence profiles, each in its colour; '' is `none`. */
export function profileSelect(id, value, none) {
  const select = h('select', { id }, h('option', { value: '' }, none),
    licenseProfiles.map((p) => h('option', { value: p.handle, selected: p.handle === value, 'data-color': p.color || '' }, profileName(p))));
  for (const option of select.options) if (option.dataset.color) option.style.color = option.dataset.color;
  return select;
}

/** A coloured dot for a profile (its colour comes from the config: set through the CSSOM, which the CSP allows). */
export function profileDot(profile, id) {
  const dot = h('span', { className: 'dot', id, role: 'img', 'aria-label': `Licence: ${profileName(profile)}${profile.unknown ? ' (not configured)' : ''}`, title: profileName(profile) });
  if (profile.color) dot.style.background = profile.color;
  return dot;
}

/** The token's client and scopes (GET /me), asked once per sign-in. */
export async function me() {
  if (!whoAmI) whoAmI = await api('/me');
  return whoAmI;
}

/** True when the token may write (public-api:write); the UI shows write controls only then. */
export const canWrite = async () => (await me()).scopes.includes('public-api:write');
export async function loadMediaTypes() {
  if (!mediaTypes) {
    const answer = await api('/mediaTypes');
    licenseProfiles = answer.licenseProfiles || [];
    mediaTypes = answer.results;
  }
  return mediaTypes;
}


export const sayingAnError = () => statusBox.classList.contains('error');

/** A modal dialog (keyboard: Tab between its controls, Enter confirms, Escape cancels). */
export function dialog(title, body, confirmText, onConfirm, danger) {
  const box = h('dialog', { className: 'dialog', id: 'batch-dialog', 'aria-labelledby': 'batch-dialog-title' });
  const form = h('form', { method: 'dialog', className: 'form', onsubmit: async (event) => {
    event.preventDefault();
    box.close();
    box.remove();
    await onConfirm();
  } },
    h('h2', { id: 'batch-dialog-title' }, title), body,
    h('div', { className: 'row' },
      h('button', { type: 'submit', className: danger ? 'danger' : 'primary', id: 'batch-confirm' }, confirmText),
      h('button', { type: 'button', id: 'batch-cancel', onclick: () => { box.close(); box.remove(); } }, 'Cancel')));
  box.append(form);
  box.addEventListener('cancel', () => box.remove());
  document.body.append(box);
  box.showModal();
  (form.querySelector('input, textarea, select') || form.querySelector('#batch-confirm')).focus();
}

/** The in-use reasons of a 409 EntryInUse, in words. */
export function inUse(body) {
  const usage = (body && body.error_details && body.error_details.usage) || {};
  const reasons = Object.entries(usage).filter(([, n]) => n).map(([name, n]) => (typeof n === 'number' ? `${name}: ${n}` : name));
  return `in use (${reasons.join(', ') || 'see the entry'})`;
}
