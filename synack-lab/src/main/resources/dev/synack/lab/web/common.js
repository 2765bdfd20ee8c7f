// Shared by the stories page (lab.js) and the experiments page (experiments.js): the page's texts in
// English and Chinese, the language switch, JSON fetching and uPlot charts. No network beyond this server.
'use strict';

const Lab = (() => {
  let ui = null;
  let lang = 'en';
  const listeners = [];

  /** Loads the UI texts; the language comes from the URL (?lang=zh), else from the last choice. */
  async function init() {
    ui = await getJSON('/i18n.json');
    const q = new URLSearchParams(location.search).get('lang');
    let stored = null;
    try { stored = localStorage.getItem('synack-lang'); } catch (e) { /* private mode */ }
    setLang(q === 'zh' || q === 'en' ? q : stored === 'zh' ? 'zh' : 'en', false);
    for (const b of document.querySelectorAll('[data-lang]')) {
      b.addEventListener('click', () => setLang(b.dataset.lang, true));
    }
  }

  function setLang(l, notify) {
    lang = l;
    document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
    try { localStorage.setItem('synack-lang', l); } catch (e) { /* private mode */ }
    for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === l));
    for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
    if (notify) for (const f of listeners) f(l);
  }

  /** The UI text for key in the current language ({name} replaced from vars). */
  function t(key, vars) {
    let s = (ui && (ui[lang][key] ?? ui.en[key])) ?? key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll('{' + k + '}', v);
    return s;
  }

  /** GETs JSON; a 400 becomes an Error with the server's one-line message. */
  async function getJSON(url) {
    const r = await fetch(url, { cache: 'no-cache' });
    const text = await r.text();
    let body;
    try { body = JSON.parse(text); } catch (e) { throw new Error(text.trim() || r.statusText); }
    if (!r.ok) throw new Error(body.error || r.statusText);
    body.__serverTiming = r.headers.get('Server-Timing');
    return body;
  }

  /** "1.234 s" or "20.000 ms", as the command line writes virtual time. */
  function time(s) {
    return s >= 1 ? s.toFixed(3) + ' s' : (s * 1000).toFixed(3) + ' ms';
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  const COLORS = ['#0b57d0', '#b3261e', '#2e7d32', '#7b2cbf', '#c2410c', '#00838f', '#6d4c41', '#ad1457', '#455a64', '#827717'];

  /** A uPlot chart in a new figure under parent: x and series [{label, values, color, dash}]. */
  function chart(parent, title, x, series, opts = {}) {
    const fig = el('figure', {}, el('figcaption', { text: title }));
    parent.append(fig);
    const width = Math.max(280, (fig.clientWidth || parent.clientWidth || 600) - 8);
    const u = new uPlot({
      width, height: opts.height || 220,
      scales: { x: { time: false } },
      axes: [{ label: opts.xLabel || 's' }, { size: 60 }],
      series: [{ label: opts.xLabel || 's' }, ...series.map((s, i) => ({
        label: s.label, stroke: s.color || COLORS[i % COLORS.length], width: 1.5, dash: s.dash, spanGaps: !!opts.spanGaps,
        points: { show: x.length < 60 }
      }))],
      plugins: opts.plugins || [],
    }, [x, ...series.map(s => s.values)], fig);
    return u;
  }

  /** A uPlot plugin drawing a vertical line at the time now() returns. */
  function nowLine(now) {
    return {
      hooks: {
        draw: u => {
          const t = now();
          if (t === null || t === undefined) return;
          const x = u.valToPos(t, 'x', true);
          if (!(x >= u.bbox.left && x <= u.bbox.left + u.bbox.width)) return;
          const c = u.ctx;
          c.save();
          c.strokeStyle = '#c2410c';
          c.lineWidth = 1.5;
          c.beginPath();
          c.moveTo(x, u.bbox.top);
          c.lineTo(x, u.bbox.top + u.bbox.height);
          c.stroke();
          c.restore();
        }
      }
    };
  }

  return {
    init, t, getJSON, time, el, svg, chart, nowLine, COLORS,
    get lang() { return lang; },
    onLang(f) { listeners.push(f); },
  };
})();
