// The experiments page: `synack experiment` with the same options (checked by the server as the
// command line checks them), every flow's cwnd and goodput over time.
'use strict';

(() => {
  const { t, el } = Lab;
  const $ = s => document.querySelector(s);
  // The options as the command line names them, with this page's defaults (a short run).
  const FIELDS = [
    ['rate', 'RATE', '20M', 'Bottleneck rate in bit/s, with k, M or G; 0 = unlimited.', '瓶颈速率（bit/s），可带 k、M、G；0 表示不限。'],
    ['rtt', 'MS', '40', 'Round-trip propagation delay in ms.', '往返传播时延，毫秒。'],
    ['queue', 'BDP|N', 'BDP', 'Drop-tail queue: BDP or N packets.', '尾部丢弃队列：BDP 或 N 个包。'],
    ['loss', 'P', '0', 'Random loss of data packets at the bottleneck, 0 ≤ P < 1.', '瓶颈处数据包的随机丢包率，0 ≤ P < 1。'],
    ['flows', 'N', '3', 'Number of bulk flows, 1 to 200.', '大流量的条数，1 到 200。'],
    ['cc', 'ALG', 'cubic', 'Congestion control: cubic, reno, newreno.', '拥塞控制算法：cubic、reno、newreno。'],
    ['duration', 'S', '20', 'Virtual seconds, up to 3600.', '虚拟秒数，最多 3600。'],
    ['seed', 'N', '1', "The network's seed.", '网络的随机种子。'],
  ];
  const S = { runs: 0, timings: {}, plots: [] };
  window.synackExperiments = S;

  async function main() {
    await Lab.init();
    const q = new URLSearchParams(location.search);
    const box = $('#exp-fields');
    for (const [key, label, def] of FIELDS) {
      box.append(el('div', { class: 'field' },
        el('label', { for: 'exp-' + key }, `--${key} (${label})`),
        el('input', { id: 'exp-' + key, name: key, type: 'text', value: q.get(key) ?? def, 'aria-describedby': 'exp-hint-' + key,
          autocomplete: 'off', spellcheck: 'false' }),
        el('span', { class: 'hint', id: 'exp-hint-' + key })));
    }
    texts();
    Lab.onLang(() => { texts(); if (S.data) draw(); });
    $('#exp-form').addEventListener('submit', ev => { ev.preventDefault(); run(); });
    await run();
    S.timings.load = Math.round(performance.now());
    showTimings();
  }

  function texts() {
    for (const [key, , , en, zh] of FIELDS) $('#exp-hint-' + key).textContent = Lab.lang === 'zh' ? zh : en;
  }

  function params() {
    const p = new URLSearchParams();
    for (const [key] of FIELDS) { const v = $('#exp-' + key).value.trim(); if (v) p.set(key, v); }
    return p;
  }

  async function run() {
    const p = params();
    $('#error').textContent = '';
    $('#exp-run').disabled = true;
    const t0 = performance.now();
    try {
      S.data = await Lab.getJSON('/api/experiment?' + p);
    } catch (e) {
      $('#error').textContent = t('error') + ': ' + e.message;
      $('#exp-run').disabled = false;
      return;
    }
    draw();
    $('#exp-run').disabled = false;
    const st = /run;dur=([0-9.]+)/.exec(S.data.__serverTiming || '');
    S.timings.server = st ? Number(st[1]) : null;
    S.timings.browser = Math.round(performance.now() - t0);
    S.runs++;
    showTimings();
    p.set('lang', Lab.lang);
    history.replaceState(null, '', '?' + p);
  }

  function showTimings() {
    $('#timings').textContent = t('timings', { load: S.timings.load ?? '…', server: S.timings.server ?? '…', browser: S.timings.browser ?? '…' });
  }

  function draw() {
    const d = S.data, box = $('#exp-plots');
    for (const u of S.plots) u.destroy();
    S.plots = [];
    box.replaceChildren();
    // uPlot wants one x for all series: the union of the flows' sample times.
    const xs = [...new Set(d.flows.flatMap(f => f.t))].sort((a, b) => a - b);
    const at = f => { const m = new Map(f.t.map((x, i) => [x, i])); return arr => xs.map(x => (m.has(x) ? arr[m.get(x)] : null)); };
    const cw = [], gp = [];
    d.flows.forEach((f, i) => {
      const pick = at(f), label = `flow ${f.index} (${(f.goodputBps / 1e6).toFixed(2)} Mbit/s)`;
      cw.push({ label, values: pick(f.cwnd), color: Lab.COLORS[i % Lab.COLORS.length] });
      gp.push({ label, values: pick(f.goodputMbps), color: Lab.COLORS[i % Lab.COLORS.length] });
    });
    S.plots.push(Lab.chart(box, t('cwndFlows'), xs, cw, { height: 260, spanGaps: true }));
    S.plots.push(Lab.chart(box, t('goodput'), xs, gp, { height: 260, spanGaps: true }));
    $('#exp-summary').textContent = d.summary;
  }

  main().catch(e => { $('#error').textContent = t('error') + ': ' + e.message; });
})();
