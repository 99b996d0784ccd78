// Fetch, then draw; a newer render wins. The browser test waits on
// body[data-state] and [data-renders].

export function createRenderer(body, setStatus, load, draw) {
  const s = { gen: 0, renders: 0, timer: 0 };
  return {
    async now() {
      const gen = ++s.gen;
      body.dataset.state = 'loading';
      try {
        const data = await load();
        if (gen !== s.gen) return;
        draw(data);
        setStatus('');
        if (++s.renders === 1) performance.mark('im-first-render');
        body.dataset.renders = String(s.renders);
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
