// The desk's panels beside the form: the review of a save (what will
// change, and why), a conflict with another editor's save, an incident's
// history, and an import. Data goes in as text only.

import { $, el } from '../dom.js';
import { fieldsOf, same, show } from './form.js';
import { ApiError, call } from './session.js';

// cell is a table cell holding v as text.
const cell = (v, tag = 'td') => el(tag, null, show(v));

// showReview lists changes ({field, from, to}) and asks for the reason:
// required for a change or a delete, optional for a new incident.
export function showReview(changes, { reason, required, deleting }) {
  const rows = changes.map(({ field, from, to }) => {
    const tr = el('tr');
    tr.append(cell(field, 'th'), cell(from), cell(deleting ? '(deleted)' : to));
    tr.firstChild.scope = 'row';
    return tr;
  });
  $('diff').tBodies[0].replaceChildren(...rows);
  $('review-h').textContent = deleting ? 'Delete this incident' : 'What will change';
  $('save').textContent = deleting ? 'Delete' : 'Save';
  $('reason').value = reason;
  $('reason').required = required;
  $('reason').removeAttribute('aria-invalid');
  const panel = $('review-panel');
  panel.dataset.deleting = String(deleting);
  $('conflict-panel').hidden = true;
  panel.hidden = false;
  panel.scrollIntoView({ block: 'nearest' });
  $('reason').focus();
}

// showConflict shows, field by field, the incident as the editor opened
// it (base), as it is now saved (theirs) and as the editor made it
// (mine), where any two differ; redo and takeTheirs are its choices.
let choices = {};
export function showConflict(base, theirs, mine, { redo, takeTheirs }) {
  choices = { redo, takeTheirs };
  const [b, t, m] = [base, theirs, mine].map(fieldsOf);
  const rows = Object.keys(b).filter((k) => !same(b[k], t[k]) || !same(b[k], m[k])).map((k) => {
    const tr = el('tr');
    tr.append(cell(k, 'th'), cell(b[k]), cell(t[k]), cell(m[k]));
    tr.firstChild.scope = 'row';
    if (!same(b[k], t[k]) && !same(b[k], m[k]) && !same(t[k], m[k])) tr.className = 'both';
    return tr;
  });
  $('conflict').tBodies[0].replaceChildren(...rows);
  const panel = $('conflict-panel');
  panel.hidden = false;
  panel.scrollIntoView({ block: 'nearest' });
  $('redo').focus();
}

// showHistory lists the revisions of incident id, newest first, each
// with who, when, why and what changed; each but the newest can be
// restored (restore(rev)).
export async function showHistory(id, restore) {
  const { data } = await call('GET', '/api/changes?' + new URLSearchParams({ incident: id, limit: 50 }));
  const items = data.changes.map((e, i) => {
    const li = el('li', 'revision');
    li.append(el('p', 'meta', `Revision ${e.revision} · ${e.at.slice(0, 16).replace('T', ' ')} UTC · ${e.author}`));
    li.append(el('p', null, e.reason));
    const mine = e.incidents.find((c) => c.id === id);
    if (mine) {
      const dl = el('dl', 'fields');
      if (mine.op === 'update') {
        for (const f of mine.fields || []) dl.append(el('dt', null, f.field), el('dd', null, `${show(f.from)} → ${show(f.to)}`));
      } else {
        dl.append(el('dt', null, mine.op === 'create' ? 'created' : 'deleted'), el('dd'));
      }
      li.append(dl);
    }
    if (i > 0 && mine && mine.op !== 'delete') {
      const b = el('button', { type: 'button' }, `Restore revision ${e.revision}'s version`);
      b.addEventListener('click', () => restore(e.revision));
      li.append(b);
    }
    return li;
  });
  $('history-list').replaceChildren(...items);
  $('history').hidden = false;
}

// wireImport wires the import form: a dry run of the file first, its
// report, then the import, one revision, once the editor says why.
export function wireImport(onImported, setStatus) {
  let file = null;
  const report = (r) => {
    const out = [el('p', null, `${r.rows} rows: ${r.created} to create, ${r.updated} to update, ${r.unchanged} unchanged.`)];
    if (r.problems.length) {
      out.push(el('p', 'problem', `${r.problems.length + r.more_problems} problems; nothing can be imported until they are fixed:`));
      const ol = el('ol', 'problems');
      for (const p of r.problems) ol.append(el('li', null, `line ${p.line}: ${p.message}`));
      out.push(ol);
    }
    $('import-report').replaceChildren(...out);
  };
  $('import-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    file = $('import-file').files[0];
    $('import-confirm').hidden = true;
    if (!file) return;
    try {
      const { data } = await call('POST', '/api/imports?dry_run=true', { body: file });
      report(data);
      if (data.created + data.updated > 0) {
        $('import-confirm').hidden = false;
        $('import-reason').focus();
      }
    } catch (err) {
      if (err instanceof ApiError && err.problem.import) report(err.problem.import);
      else $('import-report').replaceChildren(el('p', 'problem', err.message));
    }
  });
  $('import-confirm').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const { data } = await call('POST', '/api/imports', { body: file, headers: { 'Change-Reason': $('import-reason').value.trim() } });
      $('import-confirm').hidden = true;
      $('import-reason').value = '';
      $('import-report').replaceChildren(el('p', null, data.revision
        ? `Imported as revision ${data.revision}: ${data.created} created, ${data.updated} updated.` : 'Nothing new to import.'));
      onImported();
    } catch (err) {
      if (err instanceof ApiError && err.problem.import) report(err.problem.import);
      setStatus(err.message);
    }
  });
}

// wireConflict wires the conflict panel's two choices.
export function wireConflict() {
  $('redo').addEventListener('click', () => choices.redo());
  $('take-theirs').addEventListener('click', () => choices.takeTheirs());
}
