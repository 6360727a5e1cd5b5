// The image editor of the entry page (SPEC §17): rotate, pixelate rectangles drawn on the image,
// a focal point set by a click, live 3:4 and 16:9 crops, and a button that restores the original.
// Every change is one `setImageEdits` PATCH with the whole of the edits; the server renders them
// (the original's bytes stay in storage), so what is shown here is what every reader gets.
import { h, say, api, loadImage } from './http.js';

// The tool in hand stays chosen while the page is drawn again after each change.
let mode = 'pixelate';

const round = (n) => Math.round(Math.min(1, Math.max(0, n)) * 10000) / 10000;

/** The editor's panel for an image entry; `reload` draws the entry page again after a change. */
export function imageEditor(entry, title, reload) {
  const edits = entry.imageEdits || {};
  const regions = edits.pixelate || [];
  const picture = h('img', { className: 'editable', id: 'editor-image', alt: `${title} (being edited)`, draggable: 'false' });
  const stage = h('div', { className: 'stage', id: 'editor-stage' }, picture);
  loadImage(picture, entry.asset.key, 'w=800&fit=max', 'Refused');

  // What the saved edits look like on the picture: the focal point's mark.
  if (edits.focalPoint) {
    const mark = h('span', { className: 'focal', id: 'focal-mark', 'aria-hidden': 'true' });
    mark.style.left = `${edits.focalPoint.x * 100}%`;
    mark.style.top = `${edits.focalPoint.y * 100}%`;
    stage.append(mark);
  }

  async function save(value, done) {
    try {
      await api(`/mediaLibrary/${encodeURIComponent(entry.id)}`, { method: 'PATCH', body: { version: entry.version, patches: [{ operation: 'setImageEdits', value }] } });
      say(done);
      reload();
    } catch (e) {
      if (e.status !== 401) say(e.status === 409 ? 'Someone changed this entry meanwhile; reload to see their version.' : `Not saved: ${e.message}`, 'error');
    }
  }

  const next = (changes) => {
    const value = { ...edits, ...changes };
    for (const [name, v] of Object.entries(value)) if (v === undefined || v === null || (Array.isArray(v) && !v.length) || v === 0) delete value[name];
    return Object.keys(value).length ? value : null;
  };

  // Rotating turns the regions and the focal point with the picture (they are fractions of the rotated image).
  function rotate(by) {
    const turns = ((by / 90) % 4 + 4) % 4;
    let rs = regions.map((r) => ({ ...r }));
    let fp = edits.focalPoint ? { ...edits.focalPoint } : null;
    for (let i = 0; i < turns; i++) {
      rs = rs.map((r) => ({ x: round(1 - r.y - r.h), y: round(r.x), w: r.h, h: r.w }));
      if (fp) fp = { x: round(1 - fp.y), y: round(fp.x) };
    }
    return save(next({ rotate: (((edits.rotate || 0) + by) % 360 + 360) % 360, pixelate: rs, focalPoint: fp }), `Rotated ${by > 0 ? 'right' : 'left'}.`);
  }

  // Mode: draw rectangles to pixelate, or click to set the focal point.
  const modePixelate = h('input', { type: 'radio', name: 'editor-mode', id: 'mode-pixelate', value: 'pixelate', checked: mode === 'pixelate', onchange: () => { mode = 'pixelate'; } });
  const modeFocal = h('input', { type: 'radio', name: 'editor-mode', id: 'mode-focal', value: 'focal', checked: mode === 'focal', onchange: () => { mode = 'focal'; } });
  const position = (event) => {
    const box = picture.getBoundingClientRect();
    return { x: round((event.clientX - box.left) / box.width), y: round((event.clientY - box.top) / box.height) };
  };
  let drawing = null;
  stage.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 || picture.tagName !== 'IMG') return;
    event.preventDefault();
    const start = position(event);
    if (modeFocal.checked) {
      save(next({ focalPoint: start }), 'Focal point set: crops centre on it.');
      return;
    }
    const box = h('span', { className: 'region drawing', id: 'region-drawing' });
    stage.append(box);
    drawing = { start, box };
    stage.setPointerCapture(event.pointerId);
  });
  stage.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    const at = position(event);
    const { start, box } = drawing;
    box.style.left = `${Math.min(start.x, at.x) * 100}%`;
    box.style.top = `${Math.min(start.y, at.y) * 100}%`;
    box.style.width = `${Math.abs(at.x - start.x) * 100}%`;
    box.style.height = `${Math.abs(at.y - start.y) * 100}%`;
  });
  stage.addEventListener('pointerup', (event) => {
    if (!drawing) return;
    const at = position(event);
    const { start, box } = drawing;
    drawing = null;
    box.remove();
    const region = { x: Math.min(start.x, at.x), y: Math.min(start.y, at.y), w: round(Math.abs(at.x - start.x)), h: round(Math.abs(at.y - start.y)) };
    if (region.w < 0.01 || region.h < 0.01) { say('Drag across the part to pixelate (a face, a plate).'); return; }
    if (regions.length >= 20) { say('At most 20 regions; restore the original to start again.', 'error'); return; }
    save(next({ pixelate: [...regions, region] }), 'Pixelated: no reader gets those pixels any more.');
  });

  // The crops an editor cares about, rendered by the server around the focal point.
  const crop = (label, w, hgt, id) => {
    const img = h('img', { className: 'crop', id, alt: `${title}, ${label} crop` });
    loadImage(img, entry.asset.key, `w=${w}&h=${hgt}&fit=crop`, 'Refused');
    return h('figure', {}, img, h('figcaption', {}, label));
  };

  const button = (id, text, onclick, className) => h('button', { type: 'button', id, className, onclick }, text);
  return h('section', { className: 'panel', id: 'editor', 'aria-labelledby': 'editor-heading' },
    h('h2', { id: 'editor-heading' }, 'Edit image'),
    h('div', { className: 'row' },
      button('rotate-left', 'Rotate left', () => rotate(-90)),
      button('rotate-right', 'Rotate right', () => rotate(90)),
      h('fieldset', { className: 'modes' }, h('legend', { className: 'visually-hidden' }, 'On the picture'),
        modePixelate, h('label', { for: 'mode-pixelate' }, 'Draw to pixelate'),
        modeFocal, h('label', { for: 'mode-focal' }, 'Click to set the focal point')),
      button('restore', 'Restore original', () => save(null, 'The original is back.'), 'danger')),
    h('p', { className: 'hint', id: 'editor-state' },
      edits.rotate ? `Rotated ${edits.rotate}°. ` : '',
      regions.length ? `${regions.length} region${regions.length === 1 ? '' : 's'} pixelated. ` : '',
      edits.focalPoint ? `Focal point at ${Math.round(edits.focalPoint.x * 100)} %, ${Math.round(edits.focalPoint.y * 100)} %.` : '',
      !edits.rotate && !regions.length && !edits.focalPoint ? 'The original, unedited.' : ''),
    stage,
    h('div', { className: 'crops' }, crop('3:4', 180, 240, 'crop-3-4'), crop('16:9', 320, 180, 'crop-16-9')));
}
