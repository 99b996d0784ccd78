// The time filter: two sliders over the incidents' dates, by the hour, in
// UTC, giving a datetime interval ('' for all dates).

import { clock, shortDate } from './card.js';
import { $, el } from './dom.js';
import { t } from './i18n.js';
import { splitDatetime } from './view.js';

const HOUR = 3600e3;
const DAY = 24 * HOUR;

const at = (t) => {
  const d = new Date(t).toISOString();
  return `${shortDate(d)} ${clock(Number(d.slice(11, 13)), Number(d.slice(14, 16)))} UTC`;
};

// createTimeline owns the datetime filter, starting from datetime;
// changed() is called when it changes.
export function createTimeline(datetime, changed) {
  const s = { datetime };
  return {
    get datetime() { return s.datetime; },
    // setup fits the sliders to the summary's histogram of times
    // (/api/collections/incidents/summary), ticked where it has incidents.
    setup(h) {
      const from = $('time-from');
      const to = $('time-to');
      if (!h) return void ($('time-out').textContent = t('no_incidents'));
      const t0 = Date.parse(h.start);
      const t1 = Date.parse(h.end);
      const max = Math.round((t1 - t0) / HOUR);
      const hourOf = (t) => Math.min(max, Math.max(0, Math.round((t - t0) / HOUR)));
      const iso = (k) => new Date(t0 + k * HOUR).toISOString().replace('.000Z', 'Z');
      from.max = to.max = String(max);
      from.dataset.t0 = new Date(t0).toISOString();
      $('time-ticks').replaceChildren(...h.counts.flatMap((n, i) => (n ? [el('option', { value: i * h.step_hours })] : [])));
      const [a0, b0] = splitDatetime(s.datetime);
      from.value = String(Number.isFinite(a0) ? hourOf(a0) : 0);
      to.value = String(Number.isFinite(b0) ? hourOf(b0) : max);
      const describe = () => {
        const [a, b] = splitDatetime(s.datetime);
        from.setAttribute('aria-valuetext', +from.value === 0 ? t('the_start') : at(t0 + from.value * HOUR));
        to.setAttribute('aria-valuetext', +to.value === max ? t('the_end') : at(t0 + to.value * HOUR));
        $('time-out').textContent = s.datetime
          ? t('range', { a: Number.isFinite(a) ? at(a) : t('The_start'), b: Number.isFinite(b) ? at(b) : t('the_end') })
          : t('all_dates_range', { a: at(t0), b: at(t1) });
      };
      const slide = (moved) => {
        if (+from.value > +to.value) (moved === from ? to : from).value = moved.value;
        const a = +from.value;
        const b = +to.value;
        s.datetime = a === 0 && b === max ? '' : `${a === 0 ? '..' : iso(a)}/${b === max ? '..' : iso(b)}`;
        describe();
        changed();
      };
      from.addEventListener('input', () => slide(from));
      to.addEventListener('input', () => slide(to));
      $('time-reset').addEventListener('click', () => {
        from.value = '0';
        to.value = String(max);
        slide(from);
      });
      describe();
    },
  };
}
