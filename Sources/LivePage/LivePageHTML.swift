/// The live page: one static HTML file with its script, embedded in the binary (no CDN, nothing
/// fetched but the WebSocket). It draws the arm from the pushed joint positions, strip charts of the
/// commanded torques and of the loop's jitter and work, the guard's counts, and the e-stop button,
/// which sends `{"type":"estop","token":…}` over the same WebSocket.
enum LivePageHTML {
    static let text = #"""
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Armature live</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#f4f5f7;color:#222}
header{display:flex;align-items:center;gap:1em;padding:.6em 1em;background:#1f2933;color:#fff}
header h1{font-size:1.1em;margin:0;flex:1}
#estop{font:bold 1.2em system-ui;background:#d0021b;color:#fff;border:3px solid #fff;border-radius:8px;padding:.6em 1.4em;cursor:pointer}
#estop:disabled{background:#888;cursor:default}
main{display:grid;grid-template-columns:minmax(280px,1fr) minmax(320px,1.4fr);gap:1em;padding:1em}
section{background:#fff;border-radius:6px;padding:.6em;box-shadow:0 1px 2px #0002}
h2{font-size:.95em;margin:.1em 0 .4em}
canvas{width:100%;display:block}
table{border-collapse:collapse;width:100%}td{padding:.15em .4em;border-bottom:1px solid #eee}td.n{text-align:right;font-variant-numeric:tabular-nums}
#status.ok{color:#0a7d32}#status.bad{color:#d0021b}
</style></head>
<body>
<header><h1 id="title">Armature live</h1><span id="status">connecting…</span><button id="estop" disabled>E-STOP</button></header>
<main>
<section><h2>Arm</h2><canvas id="arm" width="480" height="480"></canvas><div id="episode"></div></section>
<div>
<section><h2>Commanded torques (N·m)</h2><canvas id="torques" width="640" height="180"></canvas></section>
<section><h2>Loop timing (ms): jitter peak, work peak</h2><canvas id="timing" width="640" height="140"></canvas><div id="loop"></div></section>
<section><h2>Guard interventions (totals)</h2><table id="guard"></table></section>
</div>
</main>
<script>
"use strict";
const token = new URLSearchParams(location.search).get("token");
const wsURL = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/live" + (token ? "?token=" + encodeURIComponent(token) : "");
const keep = 250, colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"];
let hello = null, last = null, history = [], ws = null, stopped = false;
const $ = id => document.getElementById(id);

function status(text, ok) { const s = $("status"); s.textContent = text; s.className = ok ? "ok" : "bad"; }

function connect() {
  ws = new WebSocket(wsURL);
  ws.onopen = () => { status("live", true); $("estop").disabled = false; };
  ws.onclose = () => { $("estop").disabled = true; if (!stopped) status("disconnected", false); };
  ws.onmessage = event => {
    const m = JSON.parse(event.data);
    if (m.type === "hello") { hello = m; $("title").textContent = "Armature live: " + m.robot; }
    else if (m.type === "state") { last = m; history.push(m); if (history.length > keep) history.shift(); draw(); }
    else if (m.type === "estop") { status(m.accepted ? "e-stop sent" : "e-stop refused: " + m.error, !m.accepted ? false : true); }
    else if (m.type === "stopped") { stopped = true; status("stopped: " + m.reason + "; torque " + m.torque, false); $("estop").disabled = true; document.body.dataset.stopped = m.reason; }
  };
}

$("estop").onclick = () => {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({type: "estop", token: token}));
  fetch("/estop" + (token ? "?token=" + encodeURIComponent(token) : ""), {method: "POST"}).catch(() => {});
};

function drawArm() {
  const c = $("arm"), g = c.getContext("2d"), w = c.width, h = c.height;
  g.clearRect(0, 0, w, h);
  if (!hello || !last) return;
  const reach = hello.lengths.reduce((a, b) => a + b, 0) || 1, s = 0.45 * Math.min(w, h) / reach;
  const X = p => w / 2 + p[0] * s, Y = p => h / 2 - p[1] * s;
  g.strokeStyle = "#ddd"; g.beginPath(); g.arc(w / 2, h / 2, reach * s, 0, 2 * Math.PI); g.stroke();
  g.fillStyle = "#2ca02c"; g.beginPath(); g.arc(X(last.goal), Y(last.goal), 7, 0, 2 * Math.PI); g.fill();
  g.strokeStyle = "#3c7fd9"; g.lineWidth = 8; g.lineCap = "round"; g.beginPath();
  last.points.forEach((p, i) => i ? g.lineTo(X(p), Y(p)) : g.moveTo(X(p), Y(p))); g.stroke();
  last.points.forEach((p, i) => { g.fillStyle = i === last.points.length - 1 ? "#f07318" : "#333"; g.beginPath(); g.arc(X(p), Y(p), 6, 0, 2 * Math.PI); g.fill(); });
  $("episode").textContent = "episode " + last.episode + ", step " + last.step + ", distance " + (last.distance ?? NaN).toFixed(4) + " m";
  c.dataset.tip = JSON.stringify(last.points[last.points.length - 1]);
}

function strip(id, series, unit) {
  const c = $(id), g = c.getContext("2d"), w = c.width, h = c.height;
  g.clearRect(0, 0, w, h);
  let lo = Infinity, hi = -Infinity;
  series.forEach(s => s.values.forEach(v => { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }));
  if (!isFinite(lo)) return;
  if (hi - lo < 1e-9) { hi += 1; lo -= 1; }
  const y = v => h - 14 - (v - lo) / (hi - lo) * (h - 24);
  g.strokeStyle = "#eee"; g.beginPath(); g.moveTo(0, y(0)); g.lineTo(w, y(0)); g.stroke();
  series.forEach((s, k) => {
    g.strokeStyle = colors[k % colors.length]; g.lineWidth = 1.5; g.beginPath();
    s.values.forEach((v, i) => { const x = i / (keep - 1) * w; if (v !== null) (i ? g.lineTo(x, y(v)) : g.moveTo(x, y(v))); });
    g.stroke(); g.fillStyle = g.strokeStyle; g.fillText(s.name, 4 + 90 * k, h - 2);
  });
  g.fillStyle = "#555"; g.fillText(hi.toPrecision(3) + unit, w - 70, 10); g.fillText(lo.toPrecision(3) + unit, w - 70, h - 16);
  c.dataset.points = String(series[0].values.length);
}

function draw() {
  drawArm();
  if (!hello) return;
  strip("torques", hello.joints.map((name, j) => ({name, values: history.map(m => m.tau[j])})), "");
  strip("timing", [{name: "jitter", values: history.map(m => m.jitter * 1e3)}, {name: "work", values: history.map(m => m.work * 1e3)}], "");
  $("loop").textContent = "cycles " + last.cycles + ", overruns " + last.overruns + ", period " + (last.period * 1e3).toFixed(3) + " ms, samples dropped " + last.dropped;
  $("guard").innerHTML = hello.guard_names.map((n, i) => "<tr><td>" + n.replace(/_/g, " ") + "</td><td class=n>" + last.guard[i] + "</td></tr>").join("");
}

connect();
</script>
</body></html>
"""#
}
