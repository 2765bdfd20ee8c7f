// The stories page: pick a story of the note, set its knobs, run it (virtual time: the server answers
// with the JSON `synack scenario NAME --format json` prints) and replay it: a ladder diagram drawn to
// virtual time (linear or log), a player, each segment's header and reason, each endpoint's states on the
// RFC 9293 diagram, the application's calls, the congestion plots and the verdict against Linux.
'use strict';

(() => {
  const { t, el, svg } = Lab;
  const $ = s => document.querySelector(s);

  const S = {
    stories: [], texts: null, reasonsZh: {}, story: null, data: null, m: null,
    now: 0, playing: false, log: false, logChosen: false, speed: 1, selected: null,
    y: null, yinv: null, plots: [], runs: 0, timings: {},
  };

  // Exposed for the browser test and for anyone curious in the console.
  window.synackLab = S;

  // ---- start ---------------------------------------------------------------------------------

  async function main() {
    await Lab.init();
    const [stories, texts, rz] = await Promise.all([
      Lab.getJSON('/api/stories'), Lab.getJSON('/stories.json'), Lab.getJSON('/reasons-zh.json')]);
    S.stories = stories;
    S.texts = texts;
    S.reasonsZh = rz;
    const q = new URLSearchParams(location.search);
    const first = texts.sections[0].stories[0];
    let name = q.get('story') || first;
    if (!stories.some(s => s.name === name)) name = first;
    if (q.has('log')) { S.log = q.get('log') === '1'; S.logChosen = true; }
    renderNav();
    selectStory(name, q);
    bindControls();
    Lab.onLang(() => { renderTexts(); if (S.m) render(false); updateURL(); });
    await run(q.has('t') ? Number(q.get('t')) : null);
    S.timings.load = Math.round(performance.now());
    showTimings();
  }

  // ---- texts ---------------------------------------------------------------------------------

  const zh = () => Lab.lang === 'zh';
  const storyText = name => S.texts.stories[name] || {};
  function storyTitle(s) { return zh() && storyText(s.name).zh ? storyText(s.name).zh : s.situation; }
  function storyLinux(s) { return zh() && storyText(s.name).linuxZh ? storyText(s.name).linuxZh : s.linux; }
  function section(name) { return S.texts.sections.find(sec => sec.stories.includes(name)); }
  function knobHelp(k) { return zh() && S.texts.knobsZh[k.key] ? S.texts.knobsZh[k.key] : k.help; }

  /** A reason object ({code, text, n}) as the page's language says it: Chinese by code, else the English text. */
  function reasonText(r) {
    if (!r) return null;
    if (zh() && S.reasonsZh[r.code]) return S.reasonsZh[r.code].replaceAll('{n}', r.n ?? '');
    return r.text || r.code;
  }

  function renderNav() {
    const list = $('#story-list');
    list.replaceChildren();
    for (const sec of S.texts.sections) {
      const ul = el('ul');
      for (const name of sec.stories) {
        const s = S.stories.find(x => x.name === name);
        if (!s) continue;
        const a = el('a', { href: '?story=' + name, 'data-story': name }, storyTitle(s));
        a.addEventListener('click', ev => {
          ev.preventDefault();
          selectStory(name, new URLSearchParams());
          run(null);
        });
        ul.append(el('li', {}, a));
      }
      list.append(el('h3', {}, zh() ? sec.zh : sec.en), ul);
    }
    markCurrent();
  }

  function markCurrent() {
    for (const a of document.querySelectorAll('#story-list a')) {
      if (S.story && a.dataset.story === S.story.name) a.setAttribute('aria-current', 'true'); else a.removeAttribute('aria-current');
    }
  }

  function renderTexts() {
    renderNav();
    const s = S.story;
    $('#story-title').textContent = storyTitle(s);
    const sec = section(s.name);
    $('#story-heading').textContent = (sec ? (zh() ? sec.zh : sec.en) + ' · ' : '') + s.name;
    $('#story-linux').textContent = storyLinux(s);
    document.title = storyTitle(s) + ' — ' + t('title');
    for (const k of s.knobs) {
      const hint = document.getElementById('hint-' + k.key);
      if (hint) hint.textContent = knobHelp(k);
      const input = document.getElementById('knob-' + k.key);
      if (input) input.placeholder = t('knobDefault');
    }
    $('#play').textContent = S.playing ? t('pause') : t('play');
  }

  // ---- the story and its knobs ---------------------------------------------------------------

  function selectStory(name, q) {
    S.story = S.stories.find(s => s.name === name);
    const fields = $('#knob-fields');
    fields.replaceChildren();
    for (const k of S.story.knobs) {
      const id = 'knob-' + k.key;
      fields.append(el('div', { class: 'field' },
        el('label', { for: id }, `${k.option} (${k.label})`),
        el('input', { id, name: k.key, type: 'text', inputmode: k.key === 'keepalive' ? 'text' : 'decimal',
          autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'hint-' + k.key, value: q.get(k.key) || '' }),
        el('span', { class: 'hint', id: 'hint-' + k.key })));
    }
    if (!S.logChosen) S.log = false;
    renderTexts();
  }

  function params() {
    const p = new URLSearchParams({ story: S.story.name });
    for (const k of S.story.knobs) {
      const v = document.getElementById('knob-' + k.key).value.trim();
      if (v) p.set(k.key, v);
    }
    return p;
  }

  async function run(at) {
    const p = params();
    const err = $('#error');
    err.textContent = '';
    const btn = $('#run');
    btn.disabled = true;
    btn.textContent = t('running');
    pause();
    const t0 = performance.now();
    let data;
    try {
      data = await Lab.getJSON('/api/run?' + p);
    } catch (e) {
      err.textContent = t('error') + ': ' + e.message;
      btn.disabled = false;
      btn.textContent = t('run');
      updateURL();
      return;
    }
    const t1 = performance.now();
    S.data = data;
    S.m = model(data);
    if (!S.logChosen) S.log = !S.m.linearFits;
    $('#log').checked = S.log;
    S.selected = null;
    $('#result').hidden = false;
    render(true);
    setNow(at !== null && at >= 0 ? at : S.m.tEnd);
    $('#dl-pcap').href = '/api/pcap?' + p;
    $('#dl-json').href = '/api/run?' + p;
    $('#dl-json').setAttribute('download', S.story.name + '.json');
    btn.disabled = false;
    btn.textContent = t('run');
    const t2 = performance.now();
    const st = /run;dur=([0-9.]+)/.exec(data.__serverTiming || '');
    S.timings.server = st ? Number(st[1]) : null;
    S.timings.fetch = Math.round(t1 - t0);
    S.timings.browser = Math.round(t2 - t0);
    S.runs++;
    showTimings();
    updateURL();
  }

  function showTimings() {
    $('#timings').textContent = t('timings', {
      load: S.timings.load ?? '…', server: S.timings.server ?? '…', browser: S.timings.browser ?? '…' });
  }

  function updateURL() {
    if (!S.story) return;
    const p = params();
    p.set('lang', Lab.lang);
    if (S.logChosen) p.set('log', S.log ? '1' : '0');
    if (S.m && S.now < S.m.tEnd) p.set('t', S.now.toFixed(6));
    history.replaceState(null, '', '?' + p);
  }

  // ---- the run as a model ----------------------------------------------------------------------

  function model(d) {
    const nodes = d.nodes ? d.nodes.slice() : [];
    const byId = new Map(), packets = [], notes = [], endpoints = new Map(), app = [], samples = new Map();
    // Every event drawn gets a row of its own, in trace order: simultaneous events stay apart.
    const rowT = [];
    const row = tt => { rowT.push(tt); return rowT.length - 1; };
    const addNode = n => { if (n && !nodes.includes(n)) nodes.push(n); };
    let tEnd = d.outcome ? d.outcome.atNs / 1e9 : 0;
    const endpoint = (host, conn) => {
      const key = host + ' ' + conn;
      if (!endpoints.has(key)) endpoints.set(key, { key, host, conn, changes: [] });
      return endpoints.get(key);
    };
    for (const e of d.events) {
      tEnd = Math.max(tEnd, e.t);
      switch (e.type) {
        case 'packet':
          if (e.dir === 'out') {
            addNode(e.host); addNode(e.dst);
            const p = { id: e.id, t0: e.t, t1: null, k0: row(e.t), k1: null, from: e.host, to: e.dst, out: e, in: null, wire: null, stackDrop: null };
            byId.set(e.id, p);
            packets.push(p);
          } else if (e.of !== undefined && byId.has(e.of)) {
            const p = byId.get(e.of);
            if (p.t1 === null) { p.t1 = e.t; p.k1 = row(e.t); p.in = e; p.to = e.host; }
            if (e.drop && typeof e.drop === 'object') p.stackDrop = { t: e.t, by: e.host, reason: e.drop.code, drop: e.drop };
          }
          break;
        case 'drop':
          if (e.of !== undefined && byId.has(e.of)) {
            byId.get(e.of).stackDrop = { t: e.t, by: e.host, reason: e.reason, drop: typeof e.drop === 'object' ? e.drop : null };
          }
          break;
        case 'wire':
          if (e.of !== undefined && byId.has(e.of)) byId.get(e.of).wire = { t: e.t, fate: e.fate, link: e.link, at: e.to };
          break;
        case 'state':
          endpoint(e.host, e.conn).changes.push(e);
          notes.push({ t: e.t, host: e.host, kind: 'state', text: `${e.from} → ${e.to}`, k: row(e.t) });
          break;
        case 'timer':
          notes.push({ t: e.t, host: e.host, kind: 'timer', text: `⏱ ${e.timer}`, k: row(e.t) });
          break;
        case 'app':
          app.push(e);
          notes.push({ t: e.t, host: e.host, kind: 'app', text: `${e.call} → ${e.result}`, k: row(e.t) });
          break;
        case 'fault':
          notes.push({ t: e.t, host: e.host, kind: 'fault', text: `⚡ ${e.fault}`, k: row(e.t) });
          break;
        case 'cwnd': {
          const key = e.host + ' ' + e.conn;
          if (!samples.has(key)) samples.set(key, []);
          samples.get(key).push(e);
          break;
        }
      }
    }
    for (const n of notes) addNode(n.host);
    if (!(tEnd > 0)) tEnd = 0.001;
    const times = new Set();
    for (const p of packets) { times.add(p.t0); if (p.t1 !== null) times.add(p.t1); }
    for (const n of notes) times.add(n.t);
    times.add(0);
    times.add(tEnd);
    const steps = [...times].sort((a, b) => a - b);
    let gap = Infinity;
    for (let i = 1; i < steps.length; i++) if (steps[i] - steps[i - 1] > 1e-9) gap = Math.min(gap, steps[i] - steps[i - 1]);
    return {
      nodes, packets, notes, endpoints: [...endpoints.values()], app, samples, tEnd, steps, rowT,
      // Linear time suits a story whose moments are within three orders of magnitude of each other.
      linearFits: gap === Infinity || tEnd / gap <= 1000,
      tau: Math.max(1e-5, Math.min(gap === Infinity ? 1e-3 : gap / 4, tEnd / 1e3)),
    };
  }

  // ---- time mapping ----------------------------------------------------------------------------

  const TOP = 56;

  /** How many of the sorted times ts are below tt (strictly, or with orEqual also equal). */
  function countBelow(ts, tt, orEqual) {
    let lo = 0, hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid] < tt || (orEqual && ts[mid] === tt)) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /**
   * Virtual time to the ladder's y: a time part (linear, or logarithmic for long stories) plus one row
   * per event before that time, so simultaneous events stay readable. S.y(t) is below every event at t,
   * S.yAt(t) above them, S.yk(k) the k-th event's row.
   */
  function mapping() {
    const m = S.m, N = m.rowT.length;
    const rowH = Math.min(18, 12000 / Math.max(N, 1)), A = 560;
    const L = Math.log1p(m.tEnd / m.tau);
    const f = S.log ? tt => Math.log1p(Math.max(0, tt) / m.tau) / L : tt => Math.max(0, tt) / m.tEnd;
    m.height = A + rowH * N;
    S.rowH = rowH;
    S.y = tt => TOP + A * f(tt) + rowH * countBelow(m.rowT, tt, true);
    S.yAt = tt => TOP + A * f(tt) + rowH * countBelow(m.rowT, tt, false);
    S.yk = k => TOP + A * f(m.rowT[k]) + rowH * (k + 0.5);
    S.yinv = y => {
      if (y <= TOP) return 0;
      let lo = 0, hi = m.tEnd;
      for (let i = 0; i < 60; i++) { const mid = (lo + hi) / 2; if (S.y(mid) < y) lo = mid; else hi = mid; }
      return hi;
    };
  }

  /** Tick times for the axis: decades in log time, a 1-2-5 step in linear time. */
  function ticks() {
    const m = S.m, out = [];
    if (S.log) {
      for (let d = Math.pow(10, Math.floor(Math.log10(m.tau * 10))); d <= m.tEnd * 1.0001; d *= 10) {
        for (const f of [1, 2, 5]) if (d * f <= m.tEnd && d * f >= m.tau * 5) out.push(d * f);
      }
      out.unshift(0);
    } else {
      const raw = m.tEnd / 10, p = Math.pow(10, Math.floor(Math.log10(raw)));
      const step = [1, 2, 5, 10].map(x => x * p).find(x => x >= raw);
      for (let v = 0; v <= m.tEnd * 1.0001; v += step) out.push(v);
    }
    return out;
  }

  // ---- drawing ---------------------------------------------------------------------------------

  let W = 980;
  const COL = ['var(--client)', 'var(--server)', 'var(--other)', '#8a4b00', '#00695c'];

  function columns() {
    const n = S.m.nodes.length, x = new Map();
    const l = 0.36 * W, r = 0.70 * W;
    S.m.nodes.forEach((name, i) => x.set(name, n === 1 ? W / 2 : l + i * ((r - l) / (n - 1))));
    return x;
  }

  function short(e) {
    if (e.flags === undefined) return e.summary;
    let s = `${e.flags} ${e.seq}:${e.seq + e.len}(${e.len})`;
    if (e.ack !== undefined) s += ` ack ${e.ack}`;
    s += ` win ${e.win}`;
    if (e.reason && typeof e.reason === 'object' && e.reason.code) s += ' · ' + e.reason.code + (e.reason.n ? ' ' + e.reason.n : '');
    return s;
  }

  function render(fresh) {
    mapping();
    drawLadder();
    drawStates();
    drawApp();
    drawVerdict();
    if (fresh || !S.plots.length) drawPlots(); else relabelPlots();
    if (S.selected !== null) showDetail(S.selected);
    else $('#detail-body').replaceChildren(el('p', { class: 'help' }, t('detailEmpty')));
    update();
  }

  function drawLadder() {
    W = Math.max(640, Math.min(1400, $('#ladder-scroll').clientWidth - 2 || 980));
    const m = S.m, g = $('#ladder'), x = columns(), H = m.height + TOP + 40;
    g.replaceChildren();
    g.setAttribute('viewBox', `0 0 ${W} ${H}`);
    g.setAttribute('width', W);
    g.setAttribute('height', H);
    const defs = svg('defs');
    for (const [id, color] of [['arrow', '#3c4043'], ['arrow-lost', '#b3261e'], ['arrow-sel', '#c2410c']]) {
      const mk = svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
      mk.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: color }));
      defs.append(mk);
    }
    g.append(defs);
    for (const tt of ticks()) {
      const y = S.yAt(tt);
      g.append(svg('line', { class: 'grid', x1: 70, x2: W - 10, y1: y, y2: y }));
      g.append(svg('text', { class: 'tick', x: 4, y: y + 4 }, Lab.time(tt)));
    }
    m.nodes.forEach((n, i) => {
      g.append(svg('line', { class: 'col', x1: x.get(n), x2: x.get(n), y1: TOP - 8, y2: TOP + m.height + 8 }));
      g.append(svg('text', { class: 'colname', x: x.get(n), y: TOP - 16, 'text-anchor': 'middle', fill: COL[i % COL.length] }, n));
    });
    // Notes: states, timers, the application's calls and faults, beside their host's line.
    const mid = (Math.min(...x.values()) + Math.max(...x.values())) / 2;
    for (const n of m.notes) {
      const cx = x.get(n.host) ?? W / 2, left = cx <= mid && m.nodes.length > 1;
      const y = S.yk(n.k) + 4;
      const room = Math.floor((left ? cx - 78 : W - cx - 12) / 6.2);
      const text = n.text.length > room ? n.text.slice(0, Math.max(room - 1, 8)) + '…' : n.text;
      const tx = svg('text', { class: 'note ' + n.kind, x: left ? cx - 8 : cx + 8, y, 'text-anchor': left ? 'end' : 'start' }, text);
      tx.append(svg('title', {}, `${Lab.time(n.t)} ${n.host}: ${n.text}`));
      n.el = tx;
      g.append(tx);
    }
    // Segments.
    let lastLabel = -1e9;
    for (const p of m.packets) {
      const x0 = x.get(p.from), x1 = x.get(p.to) ?? x0 + 60;
      const y0 = S.yk(p.k0);
      // Not arrived: lost on the way (✗), or still in flight when the story ended (dashed, no ✗).
      const lost = p.t1 === null, dropped = lost && p.wire !== null;
      let xe = x1, ye = lost ? y0 + 14 : S.yk(p.k1);
      if (lost) xe = x0 + (x1 - x0) * (dropped ? 0.55 : 0.4);
      p.geo = { x0, y0, xe, ye };
      p.tEnd = lost ? (p.wire ? p.wire.t : p.t0) : p.t1;
      const grp = svg('g', { class: 'seg' + (dropped || p.stackDrop ? ' lost' : lost ? ' open' : ''), tabindex: 0, role: 'button', 'data-id': p.id,
        'aria-label': `${p.from} → ${p.to}: ${short(p.out)}, ${Lab.time(p.t0)}` });
      grp.append(svg('line', { class: 'hit', x1: x0, y1: y0, x2: xe, y2: ye }));
      const line = svg('line', { class: 'wire', x1: x0, y1: y0, x2: xe, y2: ye, stroke: dropped ? '#b3261e' : '#3c4043',
        'marker-end': lost ? null : 'url(#arrow)' });
      grp.append(line);
      p.line = line;
      if (dropped || p.stackDrop) {
        const cx = lost ? xe : x1 + (x1 > x0 ? -10 : 10), cy = lost ? ye : ye;
        grp.append(svg('text', { class: 'x', x: cx, y: cy + 5, 'text-anchor': 'middle' }, '✗'));
      }
      // The label near the sender, above the arrow: crossing arrows keep their labels apart.
      const f = 0.3, lx = x0 + (xe - x0) * f, ly = y0 + (ye - y0) * f - 4;
      if (Math.abs(ly - lastLabel) >= 11 || S.rowH >= 14) {
        grp.append(svg('text', { x: lx, y: ly, 'text-anchor': xe >= x0 ? 'start' : 'end' }, short(p.out)));
        lastLabel = ly;
      }
      grp.addEventListener('click', () => select(p.id));
      grp.addEventListener('keydown', ev => {
        if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); ev.stopPropagation(); select(p.id); }
      });
      p.el = grp;
      p.vis = -1;
      g.append(grp);
    }
    S.nowLine = svg('line', { class: 'nowline', x1: 70, x2: W - 10, y1: TOP, y2: TOP });
    g.append(S.nowLine);
  }

  function select(id) {
    if (S.selected !== null) {
      const old = S.m.packets.find(p => p.id === S.selected);
      if (old) { old.el.classList.remove('selected'); old.line.setAttribute('marker-end', old.t1 === null ? '' : 'url(#arrow)'); }
    }
    S.selected = id;
    const p = S.m.packets.find(q => q.id === id);
    if (p) { p.el.classList.add('selected'); if (p.t1 !== null) p.line.setAttribute('marker-end', 'url(#arrow-sel)'); }
    showDetail(id);
  }

  function showDetail(id) {
    const p = S.m.packets.find(q => q.id === id);
    const body = $('#detail-body');
    if (!p) { body.replaceChildren(el('p', { class: 'help' }, t('detailEmpty'))); return; }
    const e = p.out, dl = el('dl');
    const row = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, v));
    row(t('sentAt'), `${Lab.time(p.t0)} · ${p.from}`);
    if (p.t1 !== null) row(t('arrivedAt'), `${Lab.time(p.t1)} · ${p.to}`);
    else row(t('lostAt'), p.wire ? `${Lab.time(p.wire.t)} · ${p.wire.fate} (${p.wire.link})` : t('neverArrived'));
    if (e.flags !== undefined) {
      row(t('flags'), e.flags);
      row(t('seq'), `${e.seq} / ${e.abs_seq ?? '—'}`);
      row(t('ack'), e.ack !== undefined ? `${e.ack} / ${e.abs_ack ?? '—'}` : '—');
      row(t('len'), String(e.len));
      row(t('win'), String(e.win));
      if (e.sport !== undefined) row(t('ports'), `${e.sport} → ${e.dport}`);
      row(t('options'), e.options || '—');
      if (e.ttl !== undefined) row(t('ip'), `${e.ttl}, ${e.ip_id}`);
    } else {
      row(t('options'), e.summary);
    }
    const reason = typeof e.reason === 'object' ? reasonText(e.reason) : null;
    const parts = [el('h3', {}, `${p.from} → ${p.to}: ${short(e)}`), dl,
      el('h3', {}, t('why')), el('p', { class: 'why', id: 'why' }, reason || t('noReason'))];
    if (p.stackDrop) {
      const d = p.stackDrop.drop ? reasonText(p.stackDrop.drop) : p.stackDrop.reason;
      parts.push(el('h3', {}, t('whyDropped')), el('p', { class: 'why', id: 'why-dropped' }, `${p.stackDrop.by}: ${d}`));
    }
    body.replaceChildren(...parts);
  }

  // ---- states ----------------------------------------------------------------------------------

  const STATE_COLORS = {
    CLOSE: '#e0e0e0', LISTEN: '#d7e3fc', SYN_SENT: '#fde2b8', SYN_RECV: '#fde2b8', ESTABLISHED: '#b7e4c7',
    FIN_WAIT1: '#f8c8c8', FIN_WAIT2: '#f3b0b0', CLOSE_WAIT: '#e4d0f5', CLOSING: '#f5d0e8', LAST_ACK: '#d5c0ee', TIME_WAIT: '#c7d2de',
  };

  /** The state of endpoint ep at time tt (before its first change: the state it left). */
  function stateAt(ep, tt) {
    let s = ep.changes[0].from, last = null;
    for (const c of ep.changes) { if (c.t <= tt) { s = c.to; last = c; } else break; }
    return { state: s, last };
  }

  function connText(ep) {
    const [l, r] = ep.conn.split('<->');
    return `${ep.host} ${l ? ':' + l.split(':')[1] : ''} ↔ ${r || ''}`;
  }

  function drawStates() {
    const m = S.m, tl = $('#timelines'), dg = $('#diagrams');
    tl.replaceChildren();
    dg.replaceChildren();
    S.timelines = [];
    for (const ep of m.endpoints) {
      const s = svg('svg', { viewBox: '0 0 1000 26', preserveAspectRatio: 'none', role: 'img',
        'aria-label': `${connText(ep)}: ${[ep.changes[0].from, ...ep.changes.map(c => c.to)].join(' → ')}` });
      const span = tt => 1000 * (S.y(tt) - TOP) / m.height;
      let from = 0, st = ep.changes[0].from;
      const seg = (a, b, name) => {
        const x0 = span(a), x1 = Math.max(span(b), x0 + 1);
        s.append(svg('rect', { x: x0, y: 2, width: x1 - x0, height: 22, fill: STATE_COLORS[name] || '#eee', stroke: '#fff' }));
        if (x1 - x0 > 70) s.append(svg('text', { x: x0 + 4, y: 17, 'font-size': 12, fill: '#1b1b1b' }, name));
      };
      for (const c of ep.changes) { seg(from, c.t, st); from = c.t; st = c.to; }
      seg(from, m.tEnd, st);
      const cur = svg('line', { x1: 0, x2: 0, y1: 0, y2: 26, stroke: '#c2410c', 'stroke-width': 3 });
      s.append(cur);
      S.timelines.push({ cur, span });
      tl.append(el('div', { class: 'label' }, connText(ep)), s);
    }
    // One diagram for each of the first two hosts that have connections.
    const hosts = [...new Set(m.endpoints.map(e => e.host))].slice(0, 2);
    S.diagrams = hosts.map(h => {
      const box = el('div', { class: 'diagram' });
      const title = el('h3');
      const d = diagram();
      box.append(title, d.svg);
      dg.append(box);
      return { host: h, title, ...d };
    });
  }

  // RFC 9293 §3.3.2, Figure 5: the states and the transitions, laid out as the RFC draws them.
  const BOX = { CLOSED: [170, 8], LISTEN: [170, 62], SYN_RCVD: [14, 126], SYN_SENT: [326, 126], ESTAB: [170, 190],
    FIN_WAIT_1: [14, 254], CLOSE_WAIT: [326, 254], FIN_WAIT_2: [14, 330], CLOSING: [170, 300], LAST_ACK: [326, 330],
    TIME_WAIT: [170, 372], CLOSED2: [326, 406] };
  const NAMES = { CLOSED: 'CLOSED', LISTEN: 'LISTEN', SYN_RCVD: 'SYN-RECEIVED', SYN_SENT: 'SYN-SENT', ESTAB: 'ESTABLISHED',
    FIN_WAIT_1: 'FIN-WAIT-1', CLOSE_WAIT: 'CLOSE-WAIT', FIN_WAIT_2: 'FIN-WAIT-2', CLOSING: 'CLOSING', LAST_ACK: 'LAST-ACK',
    TIME_WAIT: 'TIME-WAIT', CLOSED2: 'CLOSED' };
  const EDGES = [
    ['CLOSED', 'LISTEN', 'passive open'], ['CLOSED', 'SYN_SENT', 'active open / snd SYN'],
    ['LISTEN', 'SYN_RCVD', 'rcv SYN / snd SYN,ACK'], ['LISTEN', 'SYN_SENT', 'send / snd SYN'],
    ['SYN_SENT', 'SYN_RCVD', 'rcv SYN'], ['SYN_SENT', 'ESTAB', 'rcv SYN,ACK / snd ACK'], ['SYN_SENT', 'CLOSED', 'close / RST'],
    ['SYN_RCVD', 'ESTAB', 'rcv ACK of SYN'], ['SYN_RCVD', 'FIN_WAIT_1', 'close / snd FIN'],
    ['ESTAB', 'FIN_WAIT_1', 'close / snd FIN'], ['ESTAB', 'CLOSE_WAIT', 'rcv FIN / snd ACK'],
    ['FIN_WAIT_1', 'FIN_WAIT_2', 'rcv ACK of FIN'], ['FIN_WAIT_1', 'CLOSING', 'rcv FIN / snd ACK'],
    ['FIN_WAIT_2', 'TIME_WAIT', 'rcv FIN / snd ACK'], ['CLOSING', 'TIME_WAIT', 'rcv ACK of FIN'],
    ['CLOSE_WAIT', 'LAST_ACK', 'close / snd FIN'], ['LAST_ACK', 'CLOSED2', 'rcv ACK of FIN'], ['TIME_WAIT', 'CLOSED2', '2MSL timeout'],
  ];
  const BW = 100, BH = 22;
  const LINUX = { CLOSE: 'CLOSED', LISTEN: 'LISTEN', SYN_SENT: 'SYN_SENT', SYN_RECV: 'SYN_RCVD', ESTABLISHED: 'ESTAB',
    FIN_WAIT1: 'FIN_WAIT_1', FIN_WAIT2: 'FIN_WAIT_2', CLOSE_WAIT: 'CLOSE_WAIT', CLOSING: 'CLOSING', LAST_ACK: 'LAST_ACK', TIME_WAIT: 'TIME_WAIT' };

  /** Where the line from box a's centre towards b's leaves box a. */
  function edgePoint(a, b) {
    const [ax, ay] = [a[0] + BW / 2, a[1] + BH / 2], [bx, by] = [b[0] + BW / 2, b[1] + BH / 2];
    const dx = bx - ax, dy = by - ay;
    const s = Math.min(Math.abs((BW / 2 + 2) / (dx || 1e-9)), Math.abs((BH / 2 + 2) / (dy || 1e-9)));
    return [ax + dx * s, ay + dy * s];
  }

  function diagram() {
    const s = svg('svg', { viewBox: '0 0 440 432', role: 'img' });
    const defs = svg('defs');
    const mk = svg('marker', { id: 'st-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' });
    mk.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#6b7178' }));
    defs.append(mk);
    s.append(defs);
    const edges = new Map(), boxes = new Map();
    for (const [a, b, label] of EDGES) {
      let p = edgePoint(BOX[a], BOX[b]), q = edgePoint(BOX[b], BOX[a]);
      if (EDGES.some(([c, d]) => c === b && d === a)) {
        // Two ways between the same boxes: each on its own side.
        const dx = q[0] - p[0], dy = q[1] - p[1], len = Math.hypot(dx, dy), o = 5;
        p = [p[0] - dy / len * o, p[1] + dx / len * o];
        q = [q[0] - dy / len * o, q[1] + dx / len * o];
      }
      const line = svg('line', { class: 'tr', x1: p[0], y1: p[1], x2: q[0], y2: q[1], 'marker-end': 'url(#st-arrow)' });
      s.append(line);
      s.append(svg('text', { class: 'trl', x: (p[0] + q[0]) / 2 + 3, y: (p[1] + q[1]) / 2 - 2 }, label));
      edges.set(a + '>' + b, line);
    }
    for (const [id, [x, y]] of Object.entries(BOX)) {
      const g = svg('g', { class: 'st' });
      g.append(svg('rect', { x, y, width: BW, height: BH, rx: 4 }));
      g.append(svg('text', { x: x + BW / 2, y: y + 15, 'text-anchor': 'middle' }, NAMES[id]));
      s.append(g);
      boxes.set(id, g);
    }
    return { svg: s, edges, boxes };
  }

  /** The diagram's box for a Linux state after a change from prev (CLOSED at the bottom after a close). */
  function boxOf(state, prev) {
    if (state === 'CLOSE' && prev && !['SYN_SENT', 'CLOSE', 'LISTEN'].includes(prev)) return 'CLOSED2';
    return LINUX[state] || 'CLOSED';
  }

  function updateStates() {
    const m = S.m;
    for (const tline of S.timelines) {
      const x = tline.span(S.now);
      tline.cur.setAttribute('x1', x);
      tline.cur.setAttribute('x2', x);
    }
    for (const d of S.diagrams) {
      const eps = m.endpoints.filter(e => e.host === d.host);
      // The host's endpoint whose last change is the latest at the current time (the first one before any).
      let ep = eps[0], best = -1;
      for (const e of eps) {
        const { last } = stateAt(e, S.now);
        if (last && last.t >= best) { best = last.t; ep = e; }
      }
      const { state, last } = stateAt(ep, S.now);
      const seen = new Set([boxOf(ep.changes[0].from, null)]);
      for (const c of ep.changes) if (c.t <= S.now) seen.add(boxOf(c.to, c.from));
      const cur = boxOf(state, last ? last.from : null);
      for (const [id, g] of d.boxes) {
        g.classList.toggle('on', id === cur);
        g.classList.toggle('seen', id !== cur && seen.has(id));
      }
      const taken = last ? boxOf(last.from, null) + '>' + cur : null;
      for (const [k, line] of d.edges) line.classList.toggle('taken', k === taken);
      d.title.textContent = `${t('endpoint')}: ${connText(ep)} — ${state}`;
      d.svg.setAttribute('aria-label', `RFC 9293: ${connText(ep)} ${state}`);
    }
  }

  // ---- the application -------------------------------------------------------------------------

  function drawApp() {
    const tb = $('#app tbody');
    tb.replaceChildren();
    if (!S.m.app.length) { tb.append(el('tr', {}, el('td', { colspan: 4 }, t('noApp')))); return; }
    for (const a of S.m.app) {
      const m = /^(E[A-Z0-9]+)(.*)$/.exec(a.result);
      const res = m ? el('td', {}, el('span', { class: 'errno' }, m[1]), m[2]) : el('td', {}, a.result);
      const tr = el('tr', {}, el('td', {}, Lab.time(a.t)), el('td', {}, `${a.host}/${a.process}`), el('td', {}, el('code', {}, a.call)), res);
      a.row = tr;
      tb.append(tr);
    }
  }

  function updateApp() {
    let current = null;
    for (const a of S.m.app) { if (a.t <= S.now) current = a; }
    for (const a of S.m.app) {
      a.row.classList.toggle('future', a.t > S.now);
      a.row.classList.toggle('current', a === current);
    }
  }

  // ---- the verdict -----------------------------------------------------------------------------

  function drawVerdict() {
    const o = S.data.outcome;
    const line = $('#verdict-line');
    line.replaceChildren(
      el('span', { class: o.matchesLinux ? 'yes' : 'no' }, (o.matchesLinux ? '✓ ' : '✗ ') + t(o.matchesLinux ? 'matches' : 'differs')),
      ` — ${t('appSaw')}: `, el('strong', {}, o.appSaw), S.story.timed ? ` ${t('at')} ${Lab.time(o.atNs / 1e9)}` : '');
    // The story as Linux itself ran it (docs/ORACLE.md): recorded, compared event by event.
    const lr = o.linuxRecording, run = $('#linux-run'), diffs = $('#linux-diffs');
    if (!lr) {
      run.replaceChildren();
      diffs.hidden = true;
    } else {
      const n = lr.differences.length;
      const verdict = !lr.recorded ? t('noRecording') : n ? t('recDiffers').replace('{n}', n) : t('recAgrees');
      run.replaceChildren(el('span', lr.recorded ? { class: n ? 'no' : 'yes' } : {}, `${t('linuxRun')}: ${verdict}`),
        ` — ${lr.recorded ? t('comparedWith') + ' ' : ''}${lr.comparedWith}`);
      diffs.textContent = lr.differences.join('\n');
      diffs.hidden = n === 0;
    }
    const tb = $('#checks tbody');
    tb.replaceChildren();
    for (const c of o.checks) {
      tb.append(el('tr', {}, el('td', {}, c.what), el('td', {}, c.linux), el('td', {}, c.synack),
        el('td', { class: c.ok ? 'yes' : 'no' }, c.ok ? '✓' : '✗')));
    }
  }

  // ---- plots -----------------------------------------------------------------------------------

  function drawPlots() {
    const sel = $('#plot-endpoint'), box = $('#plots');
    for (const u of S.plots) u.destroy();
    S.plots = [];
    box.replaceChildren();
    sel.replaceChildren();
    const keys = [...S.m.samples.keys()].sort((a, b) => S.m.samples.get(b).length - S.m.samples.get(a).length);
    if (!keys.length) {
      sel.hidden = true;
      box.append(el('p', { class: 'help', id: 'no-samples' }, t('noSamples')));
      return;
    }
    sel.hidden = false;
    for (const k of keys) {
      const [host, conn] = k.split(' ');
      sel.append(el('option', { value: k }, `${connText({ host, conn })} (${S.m.samples.get(k).length})`));
    }
    if (S.plotKey && keys.includes(S.plotKey)) sel.value = S.plotKey; else S.plotKey = keys[0];
    const ss = S.m.samples.get(S.plotKey);
    const x = ss.map(s => s.t);
    const line = Lab.nowLine(() => S.now);
    const big = v => (v >= 1 << 30 ? null : v);
    const mk = (title, series) => S.plots.push(Lab.chart(box, title, x, series, { plugins: [line] }));
    mk(t('cwndPlot'), [{ label: 'cwnd', values: ss.map(s => s.cwnd) }, { label: 'ssthresh', values: ss.map(s => big(s.ssthresh)), dash: [6, 4] }]);
    mk(t('windowPlot'), [{ label: 'snd_wnd (B)', values: ss.map(s => s.snd_wnd ?? null) }, { label: 'unacked (B)', values: ss.map(s => s.unacked ?? null) }]);
    mk(t('rttPlot'), [{ label: 'srtt', values: ss.map(s => s.srtt_us / 1000) }, { label: 'RTO', values: ss.map(s => s.rto_us !== undefined ? s.rto_us / 1000 : null) }]);
    mk(t('flightPlot'), [{ label: 'in flight', values: ss.map(s => s.in_flight) }]);
  }

  function relabelPlots() {
    const caps = document.querySelectorAll('#plots figcaption');
    const keys = ['cwndPlot', 'windowPlot', 'rttPlot', 'flightPlot'];
    caps.forEach((c, i) => { c.textContent = t(keys[i]); });
    const ns = document.getElementById('no-samples');
    if (ns) ns.textContent = t('noSamples');
  }

  // ---- the player ------------------------------------------------------------------------------

  function setNow(tt) {
    S.now = Math.min(Math.max(0, tt), S.m.tEnd);
    update();
  }

  let plotFrame = 0;
  function update() {
    const m = S.m, now = S.now;
    for (const p of m.packets) {
      const vis = p.t0 > now ? 0 : now >= p.tEnd ? 2 : 1;
      if (vis === 1) {
        const f = (now - p.t0) / Math.max(p.tEnd - p.t0, 1e-12);
        const { x0, y0, xe, ye } = p.geo;
        p.line.setAttribute('x2', x0 + (xe - x0) * f);
        p.line.setAttribute('y2', y0 + (ye - y0) * f);
      } else if (vis === 2 && p.vis !== 2) {
        p.line.setAttribute('x2', p.geo.xe);
        p.line.setAttribute('y2', p.geo.ye);
      }
      if (vis !== p.vis) {
        p.el.style.visibility = vis === 0 ? 'hidden' : 'visible';
        p.vis = vis;
      }
    }
    for (const n of m.notes) n.el.style.visibility = n.t > now ? 'hidden' : 'visible';
    const y = S.y(now);
    S.nowLine.setAttribute('y1', y);
    S.nowLine.setAttribute('y2', y);
    $('#slider').value = Math.round((y - TOP) / m.height * 1000);
    $('#now').textContent = Lab.time(now);
    $('#slider').setAttribute('aria-valuetext', Lab.time(now));
    updateStates();
    updateApp();
    if (!plotFrame) plotFrame = requestAnimationFrame(() => { plotFrame = 0; for (const u of S.plots) u.redraw(false); });
  }

  let last = 0;
  function frame(ts) {
    if (!S.playing) return;
    const dt = last ? (ts - last) / 1000 : 0;
    last = ts;
    const y = S.y(S.now) + dt * 90 * S.speed;
    const next = S.yinv(y);
    setNow(y >= TOP + S.m.height ? S.m.tEnd : Math.max(next, S.now));
    if (S.now >= S.m.tEnd) { pause(); updateURL(); return; }
    requestAnimationFrame(frame);
  }

  function play() {
    if (!S.m) return;
    if (S.now >= S.m.tEnd) setNow(0);
    S.playing = true;
    last = 0;
    $('#play').textContent = t('pause');
    requestAnimationFrame(frame);
  }

  function pause() {
    S.playing = false;
    $('#play').textContent = t('play');
  }

  function step(dir) {
    pause();
    const st = S.m.steps, eps = 1e-12;
    const tt = dir > 0 ? st.find(v => v > S.now + eps) : [...st].reverse().find(v => v < S.now - eps);
    setNow(tt ?? (dir > 0 ? S.m.tEnd : 0));
    updateURL();
  }

  function bindControls() {
    $('#knobs').addEventListener('submit', ev => { ev.preventDefault(); run(null); });
    $('#play').addEventListener('click', () => (S.playing ? pause() : play()));
    $('#back').addEventListener('click', () => step(-1));
    $('#fwd').addEventListener('click', () => step(1));
    $('#slider').addEventListener('input', ev => {
      pause();
      setNow(S.yinv(TOP + ev.target.value / 1000 * S.m.height));
    });
    $('#slider').addEventListener('change', updateURL);
    $('#log').addEventListener('change', ev => {
      S.log = ev.target.checked;
      S.logChosen = true;
      render(false);
      updateURL();
    });
    $('#speed').addEventListener('change', ev => { S.speed = Number(ev.target.value); });
    $('#plot-endpoint').addEventListener('change', ev => { S.plotKey = ev.target.value; drawPlots(); });
    $('#copy').addEventListener('click', async () => {
      updateURL();
      try { await navigator.clipboard.writeText(location.href); $('#copy').textContent = t('copied'); } catch (e) { /* no clipboard */ }
      setTimeout(() => { $('#copy').textContent = t('copy'); }, 1500);
    });
    document.addEventListener('keydown', ev => {
      const tag = ev.target.tagName;
      if (['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'A'].includes(tag) || !S.m) return;
      if (ev.target.closest && ev.target.closest('.seg')) return;
      if (ev.key === ' ' || ev.key === 'k') { ev.preventDefault(); S.playing ? pause() : play(); }
      else if (ev.key === 'ArrowRight') { ev.preventDefault(); step(1); }
      else if (ev.key === 'ArrowLeft') { ev.preventDefault(); step(-1); }
    });
  }

  main().catch(e => { $('#error').textContent = t('error') + ': ' + e.message; });
})();
