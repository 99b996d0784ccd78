// Fetch, then draw, in stages [load, draw], one after another: the map's
// data is asked for first and alone, and drawn before the lists are asked
// for. A newer render wins. The first stage's draws mark im-first-render,
// then im-draw; the browser test waits on body[data-state] and
// [data-renders].

import { t } from './i18n.js';

export function createRenderer(body, setStatus, stages) {
  const s = { gen: 0, renders: 0, drawn: 0, timer: 0 };
  return {
    async now() {
      const gen = ++s.gen;
      body.dataset.state = 'loading';
      try {
        for (const [i, [load, draw]] of stages.entries()) {
          const data = await load();
          if (gen !== s.gen) return;
          draw(data);
          if (i === 0) performance.mark(s.drawn++ ? 'im-draw' : 'im-first-render');
        }
        setStatus('');
        body.dataset.renders = String(++s.renders);
        body.dataset.state = 'ready';
      } catch (err) {
        if (gen !== s.gen) return;
        setStatus(t('could_not_load', { err: err.message }));
        body.dataset.state = 'error';
      }
    },
    // soon calls then() after 120 ms of quiet.
    soon(then) {
      body.dataset.state = 'loading';
      clearTimeout(s.timer);
      s.timer = setTimeout(then, 120);
    },
  };
}
