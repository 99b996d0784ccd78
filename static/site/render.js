// Fetch, then draw, in stages [load, draw]: every load starts at once,
// each stage is drawn when it and those before it are in, and a newer
// render wins. The first stage's draws mark im-first-render, then
// im-draw; the browser test waits on body[data-state] and [data-renders].

export function createRenderer(body, setStatus, stages) {
  const s = { gen: 0, renders: 0, drawn: 0, timer: 0 };
  return {
    async now() {
      const gen = ++s.gen;
      body.dataset.state = 'loading';
      const loads = stages.map(([load]) => load());
      loads.forEach((p) => p.catch(() => {})); // awaited below
      try {
        for (const [i, p] of loads.entries()) {
          const data = await p;
          if (gen !== s.gen) return;
          stages[i][1](data);
          if (i === 0) performance.mark(s.drawn++ ? 'im-draw' : 'im-first-render');
        }
        setStatus('');
        body.dataset.renders = String(++s.renders);
        body.dataset.state = 'ready';
      } catch (err) {
        if (gen !== s.gen) return;
        setStatus('Could not load: ' + err.message);
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
