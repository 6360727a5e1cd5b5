// MediaLibrary in the browser (SPEC §13). Plain JavaScript modules, no build step, no network
// beyond this server's public API. This one signs in and routes by the URL's fragment.
import { API, TOKEN_KEY, main, h, say, token, session, forgetMediaTypes, sayingAnError, takeCarried, leaving, screen } from './http.js';
import { renderLibrary } from './library.js';
import { renderEntry } from './entry.js';
import { renderDocument } from './document.js';

// ---- sign in -------------------------------------------------------------------------------

function signOut(message) {
  leaving.guard = null;
  sessionStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(TOKEN_KEY);
  forgetMediaTypes();
  document.getElementById('account').hidden = true;
  if (message) say(message, 'error');
  if (location.hash !== '#/signin') location.hash = '#/signin';
  else render();
}

function renderSignIn() {
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'token-help' });
  const remember = h('input', { id: 'remember', type: 'checkbox' });
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
    if (remember.checked) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
    say('');
    location.hash = '#/';
  } },
    h('h1', {}, 'Sign in'),
    h('div', { className: 'field' }, h('label', { for: 'token' }, 'API token'), input),
    h('p', { id: 'token-help' }, 'Create one on the server with ',
      h('code', {}, 'dotnet run --project src/MediaLibrary -- token create --name me --scopes public-api:read,public-api:write'),
      '. It is kept in this browser tab only, unless you tick the box below.'),
    h('div', { className: 'field check' }, remember, h('label', { for: 'remember' }, 'Remember me on this device (until I sign out)')),
    error,
    h('button', { className: 'primary', type: 'submit' }, 'Sign in'));
  main.replaceChildren(form);
  input.focus();
}

// ---- routing -------------------------------------------------------------------------------

function render() {
  screen.id++;
  const hash = location.hash || '#/';
  if (!token()) {
    document.getElementById('account').hidden = true;
    renderSignIn();
    return;
  }
  document.getElementById('account').hidden = false;
  const entry = /^#\/entry\/(.+)$/.exec(hash);
  const doc = /^#\/document\/(.+)$/.exec(hash);
  if (entry) renderEntry(decodeURIComponent(entry[1]));
  else if (doc) renderDocument(decodeURIComponent(doc[1]));
  else if (hash === '#/signin') { location.hash = '#/'; }
  else renderLibrary();
  main.focus({ preventScroll: true });
}

session.expired = signOut;
document.getElementById('signout').addEventListener('click', () => signOut());
// Leaving a screen with unsaved edits asks first; staying puts the address back.
let shown = location.hash;
window.addEventListener('hashchange', () => {
  const question = leaving.guard && leaving.guard();
  if (question && !window.confirm(question)) { history.replaceState(null, '', shown); return; }
  leaving.guard = null;
  shown = location.hash;
  const carried = takeCarried();
  if (carried) say(carried); else if (!sayingAnError()) say('');
  render();
});
window.addEventListener('beforeunload', (event) => {
  if (leaving.guard && leaving.guard()) { event.preventDefault(); event.returnValue = ''; }
});
render();
