#include "lab/live/live_page.hpp"

namespace lab {

// Events (one JSON object each, lab/live/live_hub.hpp): plan, configuration, batch, sent, start,
// end, answered (of the requests drawn), count (of all answers), columns, row, done; and, under `lab serve --live`, mark. Times are seconds on
// the batch's own axis (from its start), the axis every lane shares.
std::string_view live_page() {
    return R"PAGE(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Concurrency Lab: live</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:12px 16px;color:#111;background:#fff;font-size:16px}
h1{font-size:22px;margin:0 0 4px}#status{font-size:16px;color:#333;margin:0 0 8px}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin:6px 0 10px}.legend span{display:inline-flex;align-items:center;gap:5px}
.swatch{display:inline-block;width:18px;height:12px}
#lanes{padding:0 30px 0 12px}.lane{margin:0 0 10px}.lane h2{font-size:16px;margin:0 0 3px}.lane h2 small{font-weight:normal;color:#555}
.track{position:relative;border-left:1px solid #888;border-bottom:1px solid #888;min-height:8px}
.bar{position:absolute;left:0;right:0}.bar span{position:absolute;top:0;height:100%}
.wait{background:#c9d3df}.serve{background:#1f5fa8}.failed{background:#c0392b}
.tick{position:absolute;top:2px;font-size:12px;transform:translateX(-50%);color:#333;white-space:nowrap}
.axis{position:relative;height:20px}
table{border-collapse:collapse;margin-top:14px;font-size:15px}td,th{border:1px solid #bbb;padding:3px 7px;text-align:left}
th{background:#eee}.note{color:#555;font-size:13px}
</style></head>
<body>
<h1 id="title">Waiting for the run…</h1>
<p id="status">Connecting to the lab…</p>
<div class="legend">
<span><i class="swatch wait"></i>sent, waiting for the server</span>
<span><i class="swatch serve"></i>being served (the server's own marks)</span>
<span><i class="swatch failed"></i>failed</span>
</div>
<div id="lanes"></div>
<div id="table"></div>
<p class="note" id="note"></p>
<script>
'use strict';
// Bars per lane: the plan says how many the lab draws (lab/live/live_hub.hpp); 200 until it has,
// and under `lab serve --live`, which has no plan.
let maxRows = 200;
const state = {plan: null, lanes: [], axis: 0.1, done: false, barsWhileRunning: 0, current: -1};
const $ = id => document.getElementById(id);
function text(el, t) { el.textContent = t; return el; }
function el(tag, cls) { const e = document.createElement(tag); if (cls) e.className = cls; return e; }

function lane(c) {
  if (state.lanes[c]) return state.lanes[c];
  const box = el('section', 'lane');
  const h = el('h2'); box.appendChild(h);
  const track = el('div', 'track'); box.appendChild(track);
  const axis = el('div', 'axis'); box.appendChild(axis);
  $('lanes').appendChild(box);
  const l = {box, h, track, axis, reqs: [], drawn: 0, label: '', batch: '', requests: 0, answered: 0, counted: 0,
             lastT: 0, lastWall: performance.now(), active: false, barHeight: 10, gap: 2};
  state.lanes[c] = l;
  return l;
}

// Every lane fits the window with the others (a projector at 1024 × 768): its rows share what
// height there is, from 12 px a bar with 2 px between, down to 1 px bars side by side.
function size(l, requests, lanes) {
  const rows = Math.max(1, Math.min(requests || maxRows, maxRows));  // 0: sent for a set time, as many as fit
  const room = Math.max(120, window.innerHeight - 260) / Math.max(1, lanes);
  const per = room / rows;
  l.gap = per >= 4 ? 2 : 0;
  l.barHeight = Math.max(1, Math.min(12, Math.floor(per) - l.gap));
  l.track.style.height = (rows * (l.barHeight + l.gap)) + 'px';
}

function pct(t) { return Math.max(0, Math.min(100, 100 * t / state.axis)); }
// A part of a bar that lasted at all is at least 4 px wide, however short beside the axis: a
// health check answered in 0.1 ms on a 3 s axis is still seen.
function place(span, from, to) {
  span.style.left = pct(from) + '%';
  span.style.width = Math.max(0, pct(to) - pct(from)) + '%';
  span.style.minWidth = to > from ? '4px' : '0';
}
function now(l) { return l.active ? l.lastT + (performance.now() - l.lastWall) / 1000 : l.lastT; }

// Rows in the order the server began the requests (the not yet begun below, as sent), as the
// terminal and report.html draw them: a blocked loop's staircase runs from the top row down.
function layoutRows(l) {
  const drawn = l.reqs.filter(r => r && r.div);
  drawn.sort((a, b) => (a.start ?? a.read ?? Infinity) - (b.start ?? b.read ?? Infinity) || a.sent - b.sent);
  drawn.forEach((r, row) => {
    r.div.style.top = (row * (l.barHeight + l.gap) + l.gap / 2) + 'px'; r.div.style.height = l.barHeight + 'px';
  });
}

function drawBar(l, i) {
  const r = l.reqs[i];
  if (!r || i >= maxRows) return;
  if (!r.div) {
    r.div = el('div', 'bar'); r.wait = el('span', 'wait'); r.serve = el('span', 'serve');
    r.div.append(r.wait, r.serve); l.track.appendChild(r.div);
    l.drawn++;
    layoutRows(l);
  }
  const t = now(l);
  const begun = r.start ?? r.read;  // (lab serve: a request with no work of its own, a health check, from its read)
  place(r.wait, r.sent, begun ?? r.answered ?? t);
  if (begun !== undefined) place(r.serve, begun, r.end ?? r.answered ?? t); else place(r.serve, 0, 0);
  r.serve.className = r.failed ? 'failed' : 'serve';
  r.div.title = 'request ' + ((r.n ?? i) + 1) + (r.read !== undefined ? ': arrived ' : ': sent ') + r.sent.toFixed(3) + ' s' +
    (r.start !== undefined ? ', served from ' + r.start.toFixed(3) + ' s' : '') +
    (r.answered !== undefined ? ', answered ' + r.answered.toFixed(3) + ' s' : '');
}

// Ticks at round numbers (0.25 s, 0.5 s, ...), four to eight of them, whatever the axis.
function drawAxis(l) {
  l.axis.textContent = '';
  const rough = state.axis / 5, power = Math.pow(10, Math.floor(Math.log10(rough)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * power).find(s => s >= rough);
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (step / power === 2.5 ? 1 : 0));
  for (let t = 0; t <= state.axis + 1e-9; t += step) {
    const tick = el('span', 'tick'); tick.style.left = pct(t) + '%';
    tick.textContent = t.toFixed(digits) + ' s';
    l.axis.appendChild(tick);
  }
}
function redrawAll() { for (const l of state.lanes) if (l) { l.reqs.forEach((_, i) => drawBar(l, i)); drawAxis(l); } }
function stretch(t) { if (t > state.axis) { state.axis = t * 1.15; redrawAll(); } }

// What the page shows at the end, measured from its layout: bars with a visible segment.
function drawnBars() {
  return Array.from(document.querySelectorAll('.bar')).filter(b => b.getBoundingClientRect().width > 0 &&
    Array.from(b.children).some(s => s.getBoundingClientRect().width > 0)).length;
}

function heading(l) {
  const counted = l.counted > 0 ? ' · ' + l.counted + (l.requests ? ' of ' + l.requests : '') + ' done' : '';  // answered or failed
  text(l.h, l.label).appendChild(text(el('small'), '  ' + l.batch + counted));
}
// Answers so far: those drawn, or the lab's count of all, whichever is further on.
function answeredSoFar(l) { return Math.max(l.answered, l.counted); }
function running(l) { return !l.over && (l.requests === 0 || answeredSoFar(l) < l.requests); }

function handle(e) {
  if (e.type === 'plan') {
    state.plan = e;
    if (e.drawn) maxRows = e.drawn;
    text($('title'), e.title);
    state.axis = Math.max(0.01, e.axis_s);
    e.configurations.forEach((c, k) => {
      const l = lane(k); l.label = c.label; l.requests = c.requests; l.batch = 'not yet run';
      size(l, c.requests, e.configurations.length); heading(l); drawAxis(l);
    });
    text($('status'), e.load);
  } else if (e.type === 'configuration') {
    state.current = e.c;
    const l = lane(e.c);
    text($('status'), 'Configuration ' + (e.c + 1) + ' of ' + state.lanes.length + ': ' + l.label);
  } else if (e.type === 'batch') {
    const l = lane(e.c);
    l.track.textContent = ''; l.reqs = []; l.drawn = 0; l.answered = 0; l.counted = 0; l.over = false; l.requests = e.requests;
    size(l, e.requests, Math.max(1, state.lanes.length));
    const stride = e.stride || 1;
    l.batch = (e.batch === 0 ? 'warm-up' : 'batch ' + e.batch + ' of ' + e.of) +
              (stride > 1 ? ' (one in ' + stride + ' of its ' + e.requests + ' requests drawn)'
               : e.requests === 0 ? ' (sending for a set time: the first ' + maxRows + ' requests drawn)' : '');
    l.lastT = 0; l.lastWall = performance.now(); l.active = true;
    heading(l);
  } else if (e.type === 'sent' || e.type === 'start' || e.type === 'end' || e.type === 'answered') {
    const l = lane(e.c);
    const r = l.reqs[e.i] || (l.reqs[e.i] = {sent: e.t, n: e.n});
    const began = r.start;
    if (e.type === 'start') r.start = e.t;
    if (e.type === 'end') r.end = e.t;
    if (e.type === 'answered') {
      r.answered = e.t; r.failed = !e.ok;
      if (e.start !== undefined) r.start = e.start;  // the answer's own stamps: they name this request for sure
      if (e.end !== undefined) r.end = e.end;
      l.answered++;
      // (a running count: measuring the page at every answer would stall a long replay)
      if (running(l)) state.barsWhileRunning = Math.max(state.barsWhileRunning,
        state.lanes.reduce((n, x) => n + (x ? x.drawn : 0), 0));
      if (!running(l)) l.active = false;
    }
    l.lastT = Math.max(l.lastT, e.t); l.lastWall = performance.now();
    stretch(e.t);
    drawBar(l, e.i);
    if (r.start !== began && r.div) layoutRows(l);  // it began: its row among those begun
  } else if (e.type === 'count') {
    const l = lane(e.c);
    l.counted = e.answered;
    l.over = l.over || e.final;  // the batch is over: whatever is unanswered stays so (a cut-off, a failed connect)
    if (!running(l)) l.active = false;
    heading(l);
  } else if (e.type === 'columns') {
    const t = el('table'); const tr = el('tr');
    e.names.forEach(n => tr.appendChild(text(el('th'), n)));
    t.appendChild(tr); $('table').textContent = ''; $('table').appendChild(t);
  } else if (e.type === 'row') {
    const t = $('table').querySelector('table'); const tr = el('tr');
    e.cells.forEach(c => tr.appendChild(text(el('td'), c)));
    if (t) t.appendChild(tr);
  } else if (e.type === 'footnote') {
    text($('note'), e.text);
  } else if (e.type === 'mark') {
    serveMark(e);
  } else if (e.type === 'done') {
    state.done = true;
    for (const l of state.lanes) if (l) l.active = false;
    redrawAll();
    text($('status'), e.message || 'The run is over: every configuration above is its last batch.');
    document.body.dataset.finalBars = drawnBars();
    document.body.dataset.answered = state.lanes.reduce((n, x) => n + (x ? answeredSoFar(x) : 0), 0);
    document.body.dataset.barsWhileRunning = state.barsWhileRunning;
    document.body.dataset.done = 'yes';
    source.close();
  }
}

// `lab serve --live`: no harness, so each request appears when it reached the server: when its
// bytes arrived if they waited in the socket (an 'arrived' mark, then its 'read'), else when the
// loop read it; on one lane per burst (a new one after 2 s without requests), named by its
// client's port. The wait in the socket is drawn as waiting, up to when the server began it.
const serving = {lane: -1, last: -1e9, byPort: new Map(), arrived: new Set()};
function serveMark(e) {
  const first = e.mark === 'arrived' || (e.mark === 'read' && !serving.arrived.has(e.port));
  if (serving.lane < 0 || (first && e.t - serving.last > 2)) {
    serving.lane = state.lanes.length;
    const l = lane(serving.lane);
    l.label = 'Requests as the server read them (burst ' + (serving.lane + 1) + ')';
    size(l, 4, 1);  // compact: room for a few, more as they come
    l.origin = e.t; l.batch = 'from ' + e.t.toFixed(3) + ' s'; heading(l); l.active = true;
    serving.byPort.clear();
    l.box.scrollIntoView({block: 'nearest'});  // the newest try on screen
    if (!state.plan) text($('title'), 'lab serve: live');
  }
  serving.last = Math.max(serving.last, e.t);
  const l = lane(serving.lane);
  const t = e.t - l.origin;
  let i = serving.byPort.get(e.port);
  if (first || i === undefined) {
    i = l.reqs.length; l.reqs.push({sent: t, what: e.what}); serving.byPort.set(e.port, i);
    if (l.reqs.length > 4) { size(l, l.reqs.length, 1); layoutRows(l); }
  }
  if (e.mark === 'arrived') serving.arrived.add(e.port); else serving.arrived.delete(e.port);
  const r = l.reqs[i];
  if (e.mark === 'read') r.read = t;
  if (e.mark === 'start') r.start = t;
  if (e.mark === 'end') r.end = t;
  if (e.mark === 'answered') { r.answered = t; r.failed = !String(e.what).startsWith('2'); }
  l.lastT = Math.max(l.lastT, t); l.lastWall = performance.now();
  stretch(t);
  drawBar(l, i);
  if (e.mark === 'start') layoutRows(l);
  text($('status'), 'Serving: ' + (e.what || '') + ' (' + e.mark + ')');
  // What the page shows of this lane, for the tests: each request's row and drawn width, in px.
  document.body.dataset.serveBars = JSON.stringify(l.reqs.filter(q => q.div).map(q => ({
    what: q.what, top: parseFloat(q.div.style.top), width: Math.round(visibleWidth(q)),
    waiting: Math.round(q.wait.getBoundingClientRect().width)})));
}

function visibleWidth(r) {
  const boxes = [r.wait, r.serve].map(s => s.getBoundingClientRect()).filter(b => b.width > 0);
  return boxes.length ? Math.max(...boxes.map(b => b.right)) - Math.min(...boxes.map(b => b.left)) : 0;
}

function animate() {
  for (const l of state.lanes) if (l && l.active) l.reqs.forEach((r, i) => { if (r.answered === undefined) drawBar(l, i); });
  if (!state.done) requestAnimationFrame(animate);
}
requestAnimationFrame(animate);

const source = new EventSource('/events');
// ?answers=N: stop listening once N requests are answered (a page saved or tested after a `lab
// serve --live` demonstration, whose stream never ends by itself).
const lastAnswer = Number(new URLSearchParams(location.search).get('answers')) || Infinity;
let answers = 0;
source.onmessage = m => {
  const e = JSON.parse(m.data);
  handle(e);
  if (e.type === 'mark' && e.mark === 'answered' && ++answers >= lastAnswer) source.close();
};
source.onerror = () => { if (!state.done) text($('status'), 'The lab is not answering (the run may be over): the picture stays as it was.'); };
source.onopen = () => { if (!state.plan) text($('status'), 'Connected: waiting for the first request.'); };
</script>
</body></html>
)PAGE";
}

}  // namespace lab
