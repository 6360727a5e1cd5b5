// A document's live publication (GET /documents/{id}/latestPublication): where "Where used" links to.
import { main, h, api, screen } from './http.js';

/** The media entries a component's directives reference (SPEC §5: values with a mediaId). */
function mediaIds(value, found = new Set()) {
  if (Array.isArray(value)) for (const v of value) mediaIds(v, found);
  else if (value && typeof value === 'object') {
    if (typeof value.mediaId === 'string') found.add(value.mediaId);
    for (const v of Object.values(value)) mediaIds(v, found);
  }
  return found;
}

export async function renderDocument(id) {
  main.replaceChildren(h('p', {}, 'Loading…'));
  const mine = screen.id;
  let publication;
  try {
    publication = await api(`/documents/${encodeURIComponent(id)}/latestPublication`);
  } catch (e) {
    if (e.status !== 401 && mine === screen.id) {
      main.replaceChildren(h('p', {}, h('a', { href: '#/' }, '← Library')), h('h1', {}, `Document ${id}`),
        h('p', { id: 'document-missing' }, e.status === 404 ? 'This document is not published (any more).' : e.message));
    }
    return;
  }
  if (mine !== screen.id) return;
  const system = publication.systemdata || {};
  const when = (iso) => (iso ? new Date(iso).toLocaleString() : '–');
  const components = (publication.content || []).map((c) => {
    const ids = [...mediaIds(c.content)];
    return h('li', { 'data-component': c.id },
      h('strong', {}, c.component), ` (${c.id})`,
      ids.length ? [': ', ...ids.flatMap((m, i) => [i ? ', ' : '', h('a', { href: `#/entry/${encodeURIComponent(m)}` }, m)])] : '');
  });
  main.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← Library'), ' ', h('button', { type: 'button', id: 'back', onclick: () => history.back() }, 'Back to the entry')),
    h('h1', { id: 'document-title' }, system.title || `Document ${id}`),
    h('section', { className: 'panel', 'aria-labelledby': 'publication-heading' },
      h('h2', { id: 'publication-heading' }, 'Live publication'),
      h('dl', { className: 'facts', id: 'publication' },
        [['Document', system.documentId], ['Content type', system.contentType], ['Publication', system.publicationId],
          ['First published', when(system.firstPublicationDate)], ['Last published', when(system.lastPublicationDate)]]
          .map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v ?? '–'))]))),
    h('section', { className: 'panel', 'aria-labelledby': 'components-heading' },
      h('h2', { id: 'components-heading' }, 'Components'),
      components.length ? h('ul', { className: 'plain', id: 'components' }, components) : h('p', {}, 'No components.')));
}
