// The pitr console: a page over the JSON API (/api/v1, docs/api.md) and
// /metrics. Everything shown is text in the page; the tree is SVG with
// its names as text elements. No libraries, no network beyond pitrd.
"use strict";

const state = {
  token: sessionStorage.getItem("pitr-token") || "",
  role: "",
  branches: [],
  snapshots: [],
  schedules: [],
  selected: null,
  restore: null,  // {branch, source, point, what}
  samples: [],    // metrics over time, for the activity charts
};

const $ = (selector, root = document) => root.querySelector(selector);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "onclick") node.addEventListener("click", value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
};
const svg = (tag, attrs = {}, text) => {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
};

// ---- API ----

function headers() {
  return state.token ? { Authorization: "Bearer " + state.token } : {};
}

async function api(method, path, body) {
  const response = await fetch("/api/v1" + path, {
    method,
    headers: { ...headers(), "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = {};
  try { parsed = text ? JSON.parse(text) : {}; } catch (e) { parsed = { message: text }; }
  if (!response.ok) {
    const error = new Error(parsed.message || response.statusText);
    error.code = parsed.codeName;
    throw error;
  }
  return parsed;
}

async function ndjson(path) {
  const response = await fetch("/api/v1" + path, { headers: headers() });
  const text = await response.text();
  if (!response.ok) throw new Error(JSON.parse(text).message);
  return text.split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line));
}

function showError(error) {
  const box = $("#error");
  if (!error) { box.hidden = true; return; }
  box.textContent = error.message || String(error);
  box.hidden = false;
}

// ---- formatting ----

const lsnText = (lsn) => {
  const n = BigInt(lsn || 0);
  return (n >> 32n).toString(16).toUpperCase() + "/" + (n & 0xffffffffn).toString(16).toUpperCase();
};
const timeText = (t) => (t ? new Date(t).toISOString().replace(".000Z", "Z") : "—");
const seconds = (d) => (d ? parseFloat(d) : 0);
function durationText(d) {
  let s = typeof d === "number" ? d : seconds(d);
  if (!s) return "—";
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]]) {
    if (s >= size && s % size === 0) return s / size + unit;
  }
  return s + "s";
}
function bytesText(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + units[i];
}
const isBackup = (branch) => /_old_\d{8}T\d{6}Z(_\d+)?$/.test(branch.name);

// ---- loading ----

async function loadSession() {
  const response = await fetch("/api/v1/session", { headers: headers() });
  const session = await response.json();
  state.role = session.role;
  $("#token-form").hidden = !session.tokensRequired;
  $("#role").textContent = state.role === "admin" ? "admin" : state.role === "read" ? "read-only" : "no token";
  $("#role").className = "badge " + (state.role === "admin" ? "" : "read");
  document.body.classList.toggle("readonly", state.role !== "admin");
  for (const node of document.querySelectorAll(".admin button, button[data-admin]")) {
    node.disabled = state.role !== "admin";
    if (node.disabled) node.title = "needs an admin token";
  }
  return session;
}

async function refresh() {
  try {
    const session = await loadSession();
    if (session.tokensRequired && !state.role) {
      $("#store").textContent = "Enter a token to see the store.";
      return;
    }
    const [store, branches, snapshots, schedules] = await Promise.all([
      api("GET", "/store"),
      api("GET", "/branches?page_size=1000"),
      api("GET", "/snapshots?page_size=1000"),
      api("GET", "/schedules"),
    ]);
    const named = await Promise.all(
      (branches.branches || []).map((b) => api("GET", "/branches/" + encodeURIComponent(b.name))));
    state.branches = named;
    state.snapshots = snapshots.snapshots || [];
    state.schedules = schedules.schedules || [];
    $("#store").textContent =
      `pitrd ${store.version} · latest LSN ${lsnText(store.latestLsn)} · ` +
      `${state.branches.length} branches · ${state.snapshots.length} snapshots · pages of ${store.pageSize} bytes`;
    render();
    showError(null);
  } catch (error) {
    showError(error);
  }
}

function render() {
  renderTree();
  renderBranchTable();
  renderSnapshots();
  renderSchedules();
  renderRetention();
  for (const select of document.querySelectorAll("select[name=branch]")) {
    const keep = select.value;
    select.replaceChildren(...state.branches.map((b) => el("option", { value: b.name }, b.name)));
    if (keep) select.value = keep;
  }
  if (state.selected) showBranch(state.selected);
  loadSession();
}

// ---- branches ----

function renderTree() {
  const branches = state.branches;
  const latest = Math.max(1, ...branches.map((b) => Number(b.historyBounds?.latestLsn || 0)));
  const rowHeight = 34, left = 280, width = 1000, right = 30;
  const height = 40 + rowHeight * branches.length;
  const x = (lsn) => left + (Number(lsn) / latest) * (width - left - right);
  // Parents before children, each child under its parent.
  const order = [];
  const visit = (parent, depth) => {
    for (const b of branches.filter((c) => (c.parent || "") === parent)) {
      order.push([b, depth]);
      visit(b.name, depth + 1);
    }
  };
  visit("", 0);
  for (const b of branches) if (!order.find(([o]) => o === b)) order.push([b, 0]);
  const row = new Map(order.map(([b], i) => [b.name, i]));
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
                            "aria-label": "branch tree along the LSN axis" });
  root.append(svg("text", { x: left, y: 14, class: "axis" }, "LSN 0/0"));
  root.append(svg("text", { x: width - right, y: 14, class: "axis", "text-anchor": "end" },
                  "LSN " + lsnText(latest)));
  order.forEach(([b, depth], i) => {
    const y = 36 + i * rowHeight;
    const bounds = b.historyBounds || {};
    const start = Number(b.branchPointLsn || 0);
    const end = Math.max(start, Number(bounds.latestLsn || start));
    const g = svg("g", { class: "branch" + (isBackup(b) ? " backup" : "") +
                         (state.selected === b.name ? " selected" : ""),
                         "data-branch": b.name, tabindex: 0 });
    g.append(svg("title", {}, `${b.name}: ${lsnText(start)} to ${lsnText(end)}`));
    g.append(svg("rect", { class: "window", x: x(bounds.oldestLsn || start), y: y - 8,
                           width: Math.max(2, x(end) - x(bounds.oldestLsn || start)), height: 16 }));
    g.append(svg("line", { class: "branch-line", x1: x(start), y1: y, x2: Math.max(x(end), x(start) + 2), y2: y }));
    g.append(svg("text", { x: 8 + depth * 12, y: y + 4 }, b.name + (isBackup(b) ? " (backup)" : "")));
    if (b.parent && row.has(b.parent)) {
      const py = 36 + row.get(b.parent) * rowHeight;
      root.append(svg("path", { class: "link", d: `M ${x(start)} ${py} L ${x(start)} ${y}` }));
    }
    for (const s of state.snapshots.filter((s) => s.branch === b.name)) {
      const dot = svg("circle", { class: "snapshot", cx: x(s.lsn), cy: y, r: 5 });
      dot.append(svg("title", {}, `snapshot ${s.name} at ${lsnText(s.lsn)}`));
      g.append(dot);
    }
    g.addEventListener("click", (event) => {
      // A point picked on the line: the LSN under the pointer, inside what
      // the branch can still be read at.
      const box = root.getBoundingClientRect();
      const at = ((event.clientX - box.left) / box.width) * width;
      const lsn = Math.round(((at - left) / (width - left - right)) * latest);
      const low = Number(bounds.oldestLsn || start), high = end;
      state.picked = { branch: b.name, lsn: Math.min(high, Math.max(low, lsn)) };
      showBranch(b.name);
    });
    g.addEventListener("keydown", (e) => { if (e.key === "Enter") showBranch(b.name); });
    root.append(g);
  });
  $("#tree").replaceChildren(root);
}

function renderBranchTable() {
  $("#branch-table tbody").replaceChildren(...state.branches.map((b) => {
    const bounds = b.historyBounds || {};
    return el("tr", { "data-branch": b.name },
      el("td", {}, el("a", { href: "#", onclick: (e) => { e.preventDefault(); showBranch(b.name); } }, b.name),
         isBackup(b) ? " (restore backup)" : ""),
      el("td", {}, b.parent || "—"),
      el("td", { class: "num" }, lsnText(b.branchPointLsn)),
      el("td", { class: "num" }, lsnText(bounds.latestLsn) + " · " + timeText(bounds.latestTime)),
      el("td", { class: "num" }, lsnText(bounds.oldestLsn) + " · " + timeText(bounds.oldestTime)),
      el("td", {}, durationText(bounds.retention?.window)));
  }));
}

function showBranch(name) {
  const b = state.branches.find((x) => x.name === name);
  if (!b) return;
  state.selected = name;
  for (const g of document.querySelectorAll("#tree g.branch")) {
    g.classList.toggle("selected", g.dataset.branch === name);
  }
  const bounds = b.historyBounds || {};
  const snaps = state.snapshots.filter((s) => s.branch === name);
  const at = el("input", { type: "datetime-local", step: 1, "aria-label": "restore to time (UTC)" });
  const box = $("#branch-details");
  box.replaceChildren(
    el("h3", {}, name),
    el("dl", {},
      el("dt", {}, "Parent"), el("dd", {}, b.parent ? `${b.parent} at ${lsnText(b.branchPointLsn)}` : "—"),
      el("dt", {}, "Created"), el("dd", {}, timeText(b.createTime)),
      el("dt", {}, "Latest"), el("dd", {}, `${lsnText(bounds.latestLsn)} (${timeText(bounds.latestTime)})`),
      el("dt", {}, "Readable from"), el("dd", {}, `${lsnText(bounds.oldestLsn)} (${timeText(bounds.oldestTime)})`),
      el("dt", {}, "Retention"), el("dd", {}, durationText(bounds.retention?.window) +
        (b.retention && Object.keys(b.retention).length ? " (its own)" : " (the default)")),
      el("dt", {}, "Snapshots"), el("dd", {}, snaps.length ? snaps.map((s) => s.name).join(", ") : "none"),
      el("dt", {}, "Size"), el("dd", { id: "branch-size" }, "…")),
    state.picked?.branch === name
      ? el("p", { id: "picked" }, `Picked on the timeline: LSN ${lsnText(state.picked.lsn)} `,
           el("button", { "data-admin": "", id: "restore-picked", onclick: () => askRestore({
             branch: name, point: { lsn: String(state.picked.lsn) },
             what: `to LSN ${lsnText(state.picked.lsn)}, picked on the timeline`,
             diffPoint: "to_point.lsn=" + state.picked.lsn }) }, "Restore to it…"))
      : el("p", { class: "hint" }, "Click the branch's line to pick a point to restore to."),
    el("form", { class: "admin", id: "restore-time-form" },
      el("label", {}, "Restore to a time (UTC)", at),
      el("button", { type: "submit" }, "Restore…")));
  $("#restore-time-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (!at.value) return;
    const time = new Date(at.value + "Z").toISOString();
    askRestore({ branch: name, point: { timestamp: time }, what: `to its state at ${time}`,
                 diffPoint: "to_point.timestamp=" + encodeURIComponent(time) });
  });
  box.hidden = false;
  loadSession();
  showBranchSize(name);
}

// The branch's sizes from /metrics (measured every --size_interval).
async function showBranchSize(name) {
  let text = "not measured yet";
  try {
    const response = await fetch("/metrics", { headers: headers() });
    if (response.ok) {
      const values = parseMetrics(await response.text());
      const logical = values[`pitr_branch_logical_bytes{branch="${name}"}`];
      const own = values[`pitr_branch_physical_bytes{branch="${name}"}`];
      if (logical !== undefined) {
        text = `${bytesText(logical)} of pages; ${bytesText(own || 0)} of its own history on disk`;
      }
    }
  } catch (error) {
    text = "unknown (" + error.message + ")";
  }
  const dd = $("#branch-size");
  if (dd && state.selected === name) dd.textContent = text;
}

// ---- snapshots and restore ----

function renderSnapshots() {
  $("#snapshot-table tbody").replaceChildren(...state.snapshots.map((s) => el("tr", { "data-snapshot": s.name },
    el("td", {}, s.name),
    el("td", {}, s.branch),
    el("td", {}, (s.kind || "").toLowerCase().replace("_", " ") + (s.schedule ? ` (${s.schedule})` : "")),
    el("td", { class: "num" }, timeText(s.createTime)),
    el("td", { class: "num" }, s.expireTime ? timeText(s.expireTime) : "never"),
    el("td", { class: "num" }, lsnText(s.lsn)),
    el("td", {},
      el("button", { "data-action": "export", onclick: () => exportSnapshot(s) }, "Export"), " ",
      el("button", { "data-admin": "", "data-action": "branch", onclick: () => branchFrom(s) }, "Create branch"), " ",
      el("button", { "data-admin": "", "data-action": "restore", class: "danger",
                     onclick: () => askRestore({ branch: s.branch, point: { snapshot: s.name },
                                                 what: `to snapshot ${s.name} (${lsnText(s.lsn)})`,
                                                 diffPoint: "to_point.snapshot=" + encodeURIComponent(s.name) }) },
         "Restore…"), " ",
      el("button", { "data-admin": "", "data-action": "delete", onclick: () => act(() => api("DELETE", "/snapshots/" + encodeURIComponent(s.name))) }, "Delete")))));
}

async function act(call) {
  try {
    showError(null);
    const result = await call();
    await refresh();
    return result;
  } catch (error) {
    showError(error);
    return null;
  }
}

// Downloads the dump of a snapshot (a fetch, so that the token goes too).
async function exportSnapshot(snapshot) {
  try {
    const response = await fetch(`/api/v1/branches/${encodeURIComponent(snapshot.branch)}/export` +
                                 `?point.snapshot=${encodeURIComponent(snapshot.name)}`, { headers: headers() });
    if (!response.ok) throw new Error(JSON.parse(await response.text()).message);
    const link = el("a", { href: URL.createObjectURL(await response.blob()),
                           download: `${snapshot.name}.pitrdump` });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    showError(error);
  }
}

async function branchFrom(snapshot) {
  const name = prompt(`Name of the new branch from snapshot ${snapshot.name}:`);
  if (!name) return;
  await act(() => api("POST", "/branches", { name, parent: snapshot.branch, point: { snapshot: snapshot.name } }));
}

async function askRestore(request) {
  state.restore = request;
  $("#restore-branch").textContent = request.branch;
  $("#restore-confirm-name").textContent = request.branch;
  $("#restore-what").textContent = `Branch ${request.branch} will go back ${request.what}.`;
  $("#restore-confirm").value = "";
  $("#restore-go").disabled = true;
  $("#restore-diff").textContent = "Counting the pages that will change…";
  $("#restore-dialog").showModal();
  try {
    const b = encodeURIComponent(request.branch);
    const lines = await ndjson(`/diff?from_branch=${b}&to_branch=${b}&${request.diffPoint}`);
    const summary = lines.find((l) => l.done) || {};
    const changed = Number(summary.added || 0) + Number(summary.changed || 0) + Number(summary.removed || 0);
    $("#restore-diff").textContent =
      `${changed} pages will change: ${summary.added || 0} come back, ${summary.changed || 0} ` +
      `get older contents, ${summary.removed || 0} go away (LSN ${lsnText(summary.fromLsn)} → ${lsnText(summary.toLsn)}).`;
  } catch (error) {
    $("#restore-diff").textContent = "The pages that will change could not be counted: " + error.message;
  }
}

async function doRestore() {
  const request = state.restore;
  const result = await act(() => api("POST", `/branches/${encodeURIComponent(request.branch)}/restore`,
                                     { point: request.point }));
  if (!result) return;
  const backup = result.backup;
  const box = $("#result");
  box.replaceChildren(
    el("span", {}, `Restored ${request.branch} ${request.what}. Its previous state is the backup branch `),
    el("strong", { id: "backup-name" }, backup.name), ". ",
    el("button", { "data-admin": "", id: "undo", onclick: () => undo(request.branch, backup) }, "Undo"));
  box.hidden = false;
  switchTab("snapshots");
}

async function undo(branch, backup) {
  const result = await act(() => api("POST", `/branches/${encodeURIComponent(branch)}/restore`,
    { source: backup.name, point: { lsn: backup.historyBounds.latestLsn } }));
  if (!result) return;
  $("#result").replaceChildren(
    el("span", {}, `Undone: ${branch} is back where it was. That state's own backup is `),
    el("strong", {}, result.backup.name), ".");
}

// ---- schedules and retention ----

function renderSchedules() {
  $("#schedule-table tbody").replaceChildren(...state.schedules.map((s) => el("tr", {},
    el("td", {}, s.name), el("td", {}, s.branch), el("td", {}, durationText(s.every)),
    el("td", {}, [s.keepLast ? `last ${s.keepLast}` : "", s.keepFor ? `for ${durationText(s.keepFor)}` : ""]
      .filter(Boolean).join(", ")),
    el("td", {}, el("button", { "data-admin": "", onclick: () => act(() => api("DELETE", "/schedules/" + encodeURIComponent(s.name))) }, "Delete")))));
}

// "90s", "15m", "24h", "7d" (or a number of seconds) as seconds; NaN if
// it is none of these.
function parseDuration(text) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/.exec(text);
  if (!match) return NaN;
  return parseFloat(match[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2]];
}

function renderRetention() {
  $("#retention-table tbody").replaceChildren(...state.branches.map((b) => {
    const bounds = b.historyBounds || {};
    const input = el("input", { placeholder: "e.g. 24h, 7d", size: 10, "aria-label": "new window of " + b.name });
    const consequence = el("span", { class: "hint" });
    // What the new window would mean for restores, as it is typed.
    input.addEventListener("input", () => {
      const window = parseDuration(input.value);
      if (!input.value) {
        consequence.textContent = "";
      } else if (isNaN(window)) {
        consequence.textContent = "a duration, e.g. 24h or 7d";
      } else {
        const from = new Date(Date.parse(bounds.latestTime) - window * 1000);
        const old = Date.parse(bounds.oldestTime);
        consequence.textContent = from < old
          ? ` restores would reach back to ${timeText(bounds.oldestTime)} now, and to ${timeText(from)} once history grows`
          : ` restores would reach back to ${timeText(from)}; GC may then reclaim what is older`;
      }
    });
    return el("tr", { "data-branch": b.name },
      el("td", {}, b.name),
      el("td", {}, durationText(bounds.retention?.window)),
      el("td", { class: "num" }, timeText(bounds.oldestTime)),
      el("td", {}, input, " ", el("button", { "data-admin": "", onclick: () => {
        const window = parseDuration(input.value);
        if (input.value && isNaN(window)) return showError(new Error(`"${input.value}" is not a duration`));
        act(() => api("POST", `/branches/${encodeURIComponent(b.name)}/retention`,
                      { retention: input.value ? { window: window + "s" } : {} }));
      } }, "Set"), consequence));
  }));
}

// ---- activity ----

function parseMetrics(text) {
  const values = {};
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    values[line.slice(0, at)] = parseFloat(line.slice(at + 1));
  }
  return values;
}

const CHARTS = [
  { id: "ingest", title: "Ingest", unit: "B/s", value: (now, then, dt) =>
      (now["pitr_ingest_bytes_total"] - then["pitr_ingest_bytes_total"]) / dt, text: (v) => bytesText(v) + "/s" },
  { id: "reads", title: "Page reads", unit: "/s", value: (now, then, dt) =>
      (now["pitr_pages_read_total"] - then["pitr_pages_read_total"]) / dt, text: (v) => v.toFixed(0) + " /s" },
  { id: "latency", title: "GetPage latency (mean)", value: (now, then) => {
      const key = 'pitr_rpc_duration_seconds_sum{method="GetPage"}';
      const count = 'pitr_rpc_duration_seconds_count{method="GetPage"}';
      const n = (now[count] || 0) - (then[count] || 0);
      return n > 0 ? ((now[key] - then[key]) / n) * 1e6 : 0;
    }, text: (v) => v.toFixed(0) + " µs" },
  { id: "gc", title: "GC reclaimed", value: (now) => now["pitr_gc_bytes_reclaimed_total"] || 0,
    text: (v) => bytesText(v) + " in " + (state.gcRuns || 0) + " runs" },
  { id: "store", title: "Store on disk", value: (now) => now["pitr_store_bytes"] || 0, text: bytesText },
];

async function pollMetrics() {
  if ($("#activity").hidden) return;
  try {
    const response = await fetch("/metrics", { headers: headers() });
    if (!response.ok) throw new Error("metrics: HTTP " + response.status);
    const now = { time: Date.now(), values: parseMetrics(await response.text()) };
    state.gcRuns = now.values["pitr_gc_runs_total"] || 0;
    const then = state.samples[state.samples.length - 1];
    if (then) {
      const dt = (now.time - then.time) / 1000;
      now.points = Object.fromEntries(CHARTS.map((c) => [c.id, c.value(now.values, then.values, dt)]));
    }
    state.samples.push(now);
    if (state.samples.length > 60) state.samples.shift();
    renderCharts(now.values);
  } catch (error) {
    showError(error);
  }
}

function renderCharts(values) {
  const points = state.samples.filter((s) => s.points);
  $("#charts").replaceChildren(...CHARTS.map((chart) => {
    const series = points.map((p) => p.points[chart.id]);
    const max = Math.max(1e-9, ...series);
    const line = series.map((v, i) => `${(i / 59) * 300},${58 - (v / max) * 54}`).join(" ");
    const plot = svg("svg", { viewBox: "0 0 300 60", width: 300, height: 60, role: "img",
                              "aria-label": chart.title + " over the last two minutes" });
    plot.append(svg("polyline", { points: line }));
    const latest = series.length ? series[series.length - 1] : 0;
    return el("div", { class: "chart", "data-chart": chart.id },
      el("h3", {}, chart.title), el("p", { class: "now" }, series.length ? chart.text(latest) : "…"), plot);
  }));
  const sizes = state.branches.map((b) => [b.name,
    values[`pitr_branch_logical_bytes{branch="${b.name}"}`],
    values[`pitr_branch_physical_bytes{branch="${b.name}"}`]]);
  $("#size-table tbody").replaceChildren(...sizes.map(([name, logical, physical]) => el("tr", {},
    el("td", {}, name),
    el("td", { class: "num" }, logical === undefined ? "not measured yet" : bytesText(logical)),
    el("td", { class: "num" }, physical === undefined ? "—" : bytesText(physical)))));
}

// ---- wiring ----

function switchTab(name) {
  for (const tab of document.querySelectorAll("nav button")) {
    tab.setAttribute("aria-selected", tab.dataset.tab === name);
  }
  for (const panel of document.querySelectorAll("main section")) panel.hidden = panel.id !== name;
  if (name === "activity") pollMetrics();
}

for (const tab of document.querySelectorAll("nav button")) {
  tab.addEventListener("click", () => switchTab(tab.dataset.tab));
}
$("#token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  state.token = $("#token").value.trim();
  sessionStorage.setItem("pitr-token", state.token);
  refresh();
});
$("#snapshot-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  act(() => api("POST", "/snapshots", { name: form.get("name"), branch: form.get("branch") }))
    .then(() => e.target.reset());
});
$("#schedule-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const schedule = { name: form.get("name"), branch: form.get("branch"), every: form.get("every") };
  if (form.get("keepLast")) schedule.keepLast = Number(form.get("keepLast"));
  if (form.get("keepFor")) schedule.keepFor = form.get("keepFor");
  act(() => api("POST", "/schedules", { schedule }));
});
$("#restore-confirm").addEventListener("input", (e) => {
  $("#restore-go").disabled = e.target.value !== state.restore?.branch || state.role !== "admin";
});
$("#restore-dialog").addEventListener("close", () => {
  if ($("#restore-dialog").returnValue === "restore") doRestore();
});

refresh();
setInterval(pollMetrics, 2000);
setInterval(() => { if (!$("#branches").hidden || !$("#snapshots").hidden) refresh(); }, 15000);
