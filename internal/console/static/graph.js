// The visual workflow: an ASL definition turned into a graph, laid out with
// the vendored dagre (global `dagre`), drawn as SVG, and coloured by an
// execution's history.
//
// Graph model. Every state is a node "s:<name>". A Parallel or Map state
// is a cluster "c:<name>" holding its own node (the entry, which carries
// the state's name), an exit node "x:<name>" and one cluster per branch
// ("b:<name>:<i>"; a Map has one, its iteration). dagre does not route
// edges to clusters, so edges into a Parallel/Map go to its entry node and
// edges out of it leave from its exit node.

const SVG = 'http://www.w3.org/2000/svg';

/** Outcome classes, in the order the legend shows them. */
export const OUTCOMES = ['succeeded', 'failed', 'caught', 'running', 'notreached'];

/** Labels of the outcome classes. */
export const OUTCOME_LABELS = {
  succeeded: 'Succeeded', failed: 'Failed', caught: 'Caught error', running: 'In progress', notreached: 'Not reached',
};

const CHOICE_OPS = [
  ['StringEquals', '=='], ['StringLessThan', '<'], ['StringGreaterThan', '>'], ['StringLessThanEquals', '<='],
  ['StringGreaterThanEquals', '>='], ['StringMatches', 'matches'], ['NumericEquals', '=='], ['NumericLessThan', '<'],
  ['NumericGreaterThan', '>'], ['NumericLessThanEquals', '<='], ['NumericGreaterThanEquals', '>='],
  ['BooleanEquals', '=='], ['TimestampEquals', '=='], ['TimestampLessThan', '<'], ['TimestampGreaterThan', '>'],
  ['TimestampLessThanEquals', '<='], ['TimestampGreaterThanEquals', '>='],
];

/** describeRule summarises a Choice rule as a short condition. */
export function describeRule(rule) {
  if (!rule || typeof rule !== 'object') return '';
  if (typeof rule.Condition === 'string') return rule.Condition.replace(/^\{%\s*|\s*%\}$/g, '');
  if (Array.isArray(rule.And)) return rule.And.map(describeRule).join(' and ');
  if (Array.isArray(rule.Or)) return rule.Or.map(describeRule).join(' or ');
  if (rule.Not) return 'not (' + describeRule(rule.Not) + ')';
  const v = rule.Variable || '';
  for (const [key, op] of CHOICE_OPS) {
    if (key in rule) return `${v} ${op} ${JSON.stringify(rule[key])}`;
    if (key + 'Path' in rule) return `${v} ${op} ${rule[key + 'Path']}`;
  }
  for (const key of ['IsPresent', 'IsNull', 'IsString', 'IsNumeric', 'IsBoolean', 'IsTimestamp']) {
    if (key in rule) {
      const what = key.slice(2).toLowerCase();
      return `${v} ${rule[key] ? 'is' : 'is not'} ${what}`;
    }
  }
  return v || 'rule';
}

function shorten(s, n) {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/** typeLabel gives a short type line for a state node. */
export function typeLabel(st) {
  if (st.Type !== 'Task' || typeof st.Resource !== 'string') return st.Type;
  const r = st.Resource;
  let m = r.match(/^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/);
  if (m) return 'Lambda: ' + m[1];
  m = r.match(/^arn:[^:]+:states:[^:]*:[^:]*:activity:(.+)$/);
  if (m) return 'Activity: ' + m[1];
  m = r.match(/^arn:[^:]+:states:::(.+)$/);
  if (m) {
    const args = st.Arguments || st.Parameters || {};
    const fn = args.FunctionName || args['FunctionName.$'];
    if (m[1].startsWith('lambda:invoke') && typeof fn === 'string') return 'Lambda: ' + fn.replace(/^arn:[^:]+:lambda:[^:]*:[^:]*:function:/, '');
    return m[1];
  }
  return 'Task';
}

/**
 * buildGraph turns a parsed ASL definition into nodes, clusters and edges.
 * Nodes: {id, kind: 'terminal'|'state'|'exit', label, sub, state, parent}.
 * Clusters: {id, kind: 'parallel'|'map'|'branch', state, parent, label}.
 * Edges: {id, v, w, kind: 'start'|'next'|'choice'|'default'|'catch'|'branch'|'end',
 * label, from, to} where from/to are state names (null for Start/End).
 * states maps each state name to {name, def, parent (the enclosing
 * Parallel/Map name or null), inside (branch cluster id or null)}.
 */
export function buildGraph(def) {
  const g = { nodes: [], clusters: [], edges: [], states: new Map() };
  const node = (n) => { g.nodes.push(n); return n; };
  const edge = (e) => { e.id = 'e' + g.edges.length; g.edges.push(e); };
  node({ id: 'start', kind: 'terminal', label: 'Start', parent: null });
  node({ id: 'end', kind: 'terminal', label: 'End', parent: null });

  const pending = []; // [name, st, endTarget] edges added once every node exists
  const walk = (states, parentCluster, parentState, endTarget) => {
    for (const [name, st] of Object.entries(states || {})) {
      if (!st || typeof st !== 'object') continue;
      g.states.set(name, { name, def: st, parent: parentState, inside: parentCluster });
      if (st.Type === 'Parallel' || st.Type === 'Map') {
        const cid = 'c:' + name;
        const kind = st.Type === 'Parallel' ? 'parallel' : 'map';
        g.clusters.push({ id: cid, kind, state: name, parent: parentCluster, label: name });
        node({ id: 's:' + name, kind: 'state', label: name, sub: st.Type, state: name, parent: cid });
        node({ id: 'x:' + name, kind: 'exit', label: '', state: name, parent: cid });
        const branches = st.Type === 'Parallel' ? (st.Branches || []) : [st.ItemProcessor || st.Iterator || {}];
        branches.forEach((b, i) => {
          const bid = `b:${name}:${i}`;
          g.clusters.push({ id: bid, kind: 'branch', state: name, parent: cid,
            label: st.Type === 'Map' ? 'Iteration' : 'Branch ' + (i + 1) });
          walk(b.States, bid, name, 'x:' + name);
          if (b.StartAt) {
            edge({ v: 's:' + name, w: 's:' + b.StartAt, kind: 'branch', label: '', from: name, to: b.StartAt });
          }
        });
      } else {
        node({ id: 's:' + name, kind: 'state', label: name, sub: typeLabel(st), state: name, parent: parentCluster });
      }
      pending.push([name, st, endTarget]);
    }
  };
  walk(def.States, null, null, 'end');

  const has = (name) => g.states.has(name);
  if (def.StartAt && has(def.StartAt)) {
    edge({ v: 'start', w: 's:' + def.StartAt, kind: 'start', label: '', from: null, to: def.StartAt });
  }
  for (const [name, st, endTarget] of pending) {
    const out = (st.Type === 'Parallel' || st.Type === 'Map') ? 'x:' + name : 's:' + name;
    const to = (next, kind, label) => {
      if (typeof next === 'string' && has(next)) edge({ v: out, w: 's:' + next, kind, label, from: name, to: next });
    };
    if (st.Type === 'Choice') {
      (st.Choices || []).forEach((rule) => to(rule.Next, 'choice', describeRule(rule)));
      if (st.Default) to(st.Default, 'default', 'Default');
    } else if (st.Next) {
      to(st.Next, 'next', '');
    }
    if (st.End === true || st.Type === 'Succeed' || st.Type === 'Fail') {
      edge({ v: out, w: endTarget, kind: 'end', label: '', from: name, to: null });
    }
    for (const c of st.Catch || []) {
      to(c.Next, 'catch', (c.ErrorEquals || []).join(', '));
    }
  }
  return g;
}

let measureCtx;
function textWidth(s, font) {
  if (!measureCtx) measureCtx = document.createElement('canvas').getContext('2d');
  measureCtx.font = font;
  return measureCtx.measureText(s).width;
}

const FONT_NAME = '600 13px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const FONT_SUB = '11px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const FONT_EDGE = '11px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

/** layout runs dagre over g and returns positions and the drawing's bounds. */
export function layout(g) {
  const gl = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  gl.setGraph({ rankdir: 'TB', nodesep: 26, ranksep: 34, edgesep: 14, marginx: 12, marginy: 12 });
  gl.setDefaultEdgeLabel(() => ({}));
  for (const n of g.nodes) {
    let w, h;
    if (n.kind === 'terminal') { w = 64; h = 28; } else if (n.kind === 'exit') { w = 18; h = 10; } else {
      const sub = shorten(n.sub || '', 40);
      w = Math.max(textWidth(n.label, FONT_NAME), textWidth(sub, FONT_SUB)) + 30;
      w = Math.max(96, Math.min(w, 320));
      h = 44;
    }
    gl.setNode(n.id, { width: w, height: h });
  }
  for (const c of g.clusters) gl.setNode(c.id, {});
  for (const n of g.nodes) if (n.parent) gl.setParent(n.id, n.parent);
  for (const c of g.clusters) if (c.parent) gl.setParent(c.id, c.parent);
  for (const e of g.edges) {
    const label = shorten(e.label || '', 34);
    const lab = label ? { label, width: textWidth(label, FONT_EDGE) + 10, height: 16, labelpos: 'c' } : {};
    gl.setEdge(e.v, e.w, lab, e.id);
  }
  dagre.layout(gl);

  const pos = { nodes: new Map(), clusters: new Map(), edges: new Map() };
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const grow = (x0, y0, x1, y1) => {
    minX = Math.min(minX, x0); minY = Math.min(minY, y0); maxX = Math.max(maxX, x1); maxY = Math.max(maxY, y1);
  };
  for (const n of g.nodes) {
    const p = gl.node(n.id);
    pos.nodes.set(n.id, p);
    grow(p.x - p.width / 2, p.y - p.height / 2, p.x + p.width / 2, p.y + p.height / 2);
  }
  for (const c of g.clusters) {
    const p = gl.node(c.id);
    if (!p || p.width === undefined) continue;
    pos.clusters.set(c.id, p);
    grow(p.x - p.width / 2, p.y - p.height / 2, p.x + p.width / 2, p.y + p.height / 2);
  }
  for (const e of g.edges) {
    const p = gl.edge({ v: e.v, w: e.w, name: e.id });
    pos.edges.set(e.id, p);
    for (const pt of p.points || []) grow(pt.x, pt.y, pt.x, pt.y);
    if (p.x !== undefined) grow(p.x - p.width / 2, p.y - p.height / 2, p.x + p.width / 2, p.y + p.height / 2);
  }
  const pad = 12;
  pos.bounds = { x: minX - pad, y: minY - pad, width: maxX - minX + 2 * pad, height: maxY - minY + 2 * pad };
  return pos;
}

function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

// A smooth path through dagre's points (a B-spline, as d3.curveBasis draws).
function curve(points) {
  if (!points || points.length === 0) return '';
  const p = points;
  let d = `M${p[0].x},${p[0].y}`;
  if (p.length === 2) return d + `L${p[1].x},${p[1].y}`;
  d += `L${(5 * p[0].x + p[1].x) / 6},${(5 * p[0].y + p[1].y) / 6}`;
  for (let i = 1; i < p.length - 1; i++) {
    const a = p[i - 1], b = p[i], c = p[i + 1];
    d += `C${(2 * a.x + b.x) / 3},${(2 * a.y + b.y) / 3} ${(a.x + 2 * b.x) / 3},${(a.y + 2 * b.y) / 3} ` +
      `${(a.x + 4 * b.x + c.x) / 6},${(a.y + 4 * b.y + c.y) / 6}`;
  }
  const a = p[p.length - 2], b = p[p.length - 1];
  d += `C${(2 * a.x + b.x) / 3},${(2 * a.y + b.y) / 3} ${(a.x + 2 * b.x) / 3},${(a.y + 2 * b.y) / 3} ${b.x},${b.y}`;
  return d;
}

/**
 * render draws g into container (an element) and returns a view:
 * {svg, setAnalysis(analysis), select(name), onSelect: fn}. Each state
 * node is a <g class="node state" data-state="<name>">; after
 * setAnalysis it also has class "st-<outcome>".
 */
export function render(container, g) {
  const pos = layout(g);
  const b = pos.bounds;
  container.textContent = '';
  const svg = el('svg', {
    class: 'graph', viewBox: `${b.x} ${b.y} ${b.width} ${b.height}`, width: Math.ceil(b.width),
    height: Math.ceil(b.height), role: 'img', 'aria-label': 'Workflow graph',
  }, container);
  // Small graphs may grow to half again their size to fill the box; large
  // ones shrink to its width (style.css: max-width 100%).
  svg.style.width = '100%';
  svg.style.maxWidth = Math.ceil(b.width * 1.5) + 'px';
  const defs = el('defs', {}, svg);
  for (const id of ['arrow', 'arrow-taken', 'arrow-catch', 'arrow-catch-taken']) {
    const m = el('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 9, markerHeight: 9,
      markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse', class: 'marker ' + id }, defs);
    el('path', { d: 'M0,0L10,5L0,10z' }, m);
  }

  const view = { svg, graph: g, nodes: new Map(), clusters: new Map(), edges: new Map(), onSelect: null, selected: null };

  // Clusters, outermost first so inner ones draw on top.
  const depth = (c) => { let d = 0, p = c.parent; while (p) { d++; p = (g.clusters.find((x) => x.id === p) || {}).parent; } return d; };
  const clusters = [...g.clusters].sort((a, b2) => depth(a) - depth(b2));
  const clusterLayer = el('g', { class: 'clusters' }, svg);
  for (const c of clusters) {
    const p = pos.clusters.get(c.id);
    if (!p) continue;
    const cg = el('g', { class: `cluster ${c.kind}`, 'data-cluster': c.id, 'data-state': c.state }, clusterLayer);
    el('rect', { x: p.x - p.width / 2, y: p.y - p.height / 2, width: p.width, height: p.height, rx: 8 }, cg);
    if (c.kind === 'branch') {
      const t = el('text', { x: p.x - p.width / 2 + 6, y: p.y - p.height / 2 + 12, class: 'cluster-label' }, cg);
      t.textContent = c.label;
    }
    if (c.kind !== 'branch') view.clusters.set(c.state, cg);
  }

  const edgeLayer = el('g', { class: 'edges' }, svg);
  for (const e of g.edges) {
    const p = pos.edges.get(e.id);
    const eg = el('g', { class: `edge ${e.kind}`, 'data-edge': e.id, 'data-from': e.from ?? '', 'data-to': e.to ?? '' }, edgeLayer);
    el('path', { d: curve(p.points), 'marker-end': e.kind === 'catch' ? 'url(#arrow-catch)' : 'url(#arrow)' }, eg);
    if (e.label && p.x !== undefined) {
      const lg = el('g', { class: 'edge-label' }, eg);
      el('rect', { x: p.x - p.width / 2, y: p.y - p.height / 2, width: p.width, height: p.height, rx: 3 }, lg);
      const t = el('text', { x: p.x, y: p.y + 4, 'text-anchor': 'middle' }, lg);
      t.textContent = shorten(e.label, 34);
      const title = el('title', {}, lg);
      title.textContent = e.label;
    }
    view.edges.set(e.id, { edge: e, g: eg });
  }

  const nodeLayer = el('g', { class: 'nodes' }, svg);
  for (const n of g.nodes) {
    const p = pos.nodes.get(n.id);
    const x = p.x - p.width / 2, y = p.y - p.height / 2;
    if (n.kind === 'terminal') {
      const ng = el('g', { class: 'node terminal', 'data-terminal': n.id }, nodeLayer);
      el('rect', { x, y, width: p.width, height: p.height, rx: p.height / 2 }, ng);
      const t = el('text', { x: p.x, y: p.y + 4, 'text-anchor': 'middle' }, ng);
      t.textContent = n.label;
      continue;
    }
    if (n.kind === 'exit') {
      const ng = el('g', { class: 'node exit', 'data-exit': n.state }, nodeLayer);
      el('rect', { x, y, width: p.width, height: p.height, rx: p.height / 2 }, ng);
      continue;
    }
    const st = g.states.get(n.state);
    const ng = el('g', {
      class: 'node state', 'data-state': n.state, 'data-type': st.def.Type, tabindex: 0, role: 'button',
      'aria-label': `${n.state} (${st.def.Type})`,
    }, nodeLayer);
    el('rect', { x, y, width: p.width, height: p.height, rx: 6 }, ng);
    const name = el('text', { x: p.x, y: p.y - 3, 'text-anchor': 'middle', class: 'name' }, ng);
    name.textContent = shorten(n.label, 40);
    const sub = el('text', { x: p.x, y: p.y + 13, 'text-anchor': 'middle', class: 'sub' }, ng);
    sub.textContent = shorten(n.sub || '', 40);
    const title = el('title', {}, ng);
    title.textContent = `${n.state} — ${n.sub || st.def.Type}`;
    if (Array.isArray(st.def.Retry) && st.def.Retry.length) {
      const r = el('text', { x: x + p.width - 6, y: y + 12, 'text-anchor': 'end', class: 'retry-mark' }, ng);
      r.textContent = '↻';
    }
    const pick = () => view.select(n.state, true);
    ng.addEventListener('click', pick);
    ng.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); pick(); } });
    view.nodes.set(n.state, ng);
  }

  /** select marks a state as selected and tells onSelect (when user is true). */
  view.select = (name, user) => {
    if (view.selected) view.nodes.get(view.selected)?.classList.remove('selected');
    view.selected = name;
    if (name) view.nodes.get(name)?.classList.add('selected');
    if (view.onSelect) view.onSelect(name, user);
  };

  /** setAnalysis colours states by outcome and highlights the edges taken. */
  view.setAnalysis = (a) => {
    for (const [name, ng] of view.nodes) {
      const s = a.states.get(name)?.status || 'notreached';
      for (const o of OUTCOMES) ng.classList.toggle('st-' + o, o === s);
      ng.setAttribute('data-status', s);
      const cg = view.clusters.get(name);
      if (cg) for (const o of OUTCOMES) cg.classList.toggle('st-' + o, o === s);
    }
    for (const { edge, g: eg } of view.edges.values()) {
      const taken = a.taken.has(edge.id);
      eg.classList.toggle('taken', taken);
      const marker = (edge.kind === 'catch' ? 'arrow-catch' : 'arrow') + (taken ? '-taken' : '');
      eg.querySelector('path').setAttribute('marker-end', `url(#${marker})`);
    }
  };
  return view;
}

// Event types that mean an attempt of a state's work failed, and those that
// mean it succeeded.
const ATTEMPT_FAILED = new Set([
  'LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'LambdaFunctionStartFailed', 'LambdaFunctionScheduleFailed',
  'TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed', 'ActivityFailed', 'ActivityTimedOut',
  'ActivityScheduleFailed', 'ParallelStateFailed', 'MapStateFailed', 'EvaluationFailed',
]);
const ATTEMPT_SUCCEEDED = new Set([
  'LambdaFunctionSucceeded', 'TaskSucceeded', 'ActivitySucceeded', 'ParallelStateSucceeded', 'MapStateSucceeded',
]);
const ATTEMPT_SCHEDULED = new Set(['LambdaFunctionScheduled', 'TaskScheduled', 'ActivityScheduled']);
const STATE_ABORTED = new Set(['TaskStateAborted', 'WaitStateAborted', 'ParallelStateAborted', 'MapStateAborted']);

/** details returns an event's "<type>EventDetails" member, or {}. */
export function details(ev) {
  for (const [k, v] of Object.entries(ev)) if (k.endsWith('EventDetails') && v && typeof v === 'object') return v;
  return {};
}

/**
 * analyze reads an execution's history (events as GetExecutionHistory
 * returns them, oldest first) against the graph and returns
 * {states: Map name → {status, visits}, taken: Set of edge ids,
 * eventState: Map event id → state name}.
 *
 * A visit is one entry into a state: {name, enteredId, input, output,
 * status, attempts: [{scheduledId, error, cause, failed}], retries, error,
 * cause, entered, exited, iteration}. A visit that exited after its last
 * attempt failed was caught (its Catch moved on); one that never exited
 * failed when the execution failed, was stopped or timed out, and is in
 * progress while the execution runs.
 */
export function analyze(g, events, executionStatus) {
  const byId = new Map();
  for (const ev of events) byId.set(ev.id, ev);
  const eventVisit = new Map();
  const visits = [];
  const open = [];
  const typeOf = (name) => g.states.get(name)?.def?.Type;
  const findUp = (id, pred) => {
    for (let n = 0; id > 0 && n < 100000; n++) {
      const v = eventVisit.get(id);
      if (v && pred(v)) return v;
      const ev = byId.get(id);
      if (!ev) break;
      id = ev.previousEventId;
    }
    for (let i = open.length - 1; i >= 0; i--) if (pred(open[i])) return open[i];
    return null;
  };
  const close = (v, status) => {
    v.status = status;
    const i = open.indexOf(v);
    if (i >= 0) open.splice(i, 1);
  };
  const inside = (name, ancestor) => {
    for (let p = g.states.get(name)?.parent; p; p = g.states.get(p)?.parent) if (p === ancestor) return true;
    return false;
  };
  // When a Parallel or Map ends, the states still open in its branches end
  // with it: failed if their last attempt failed, else stopped.
  const closeInside = (parent) => {
    for (const o of [...open]) {
      if (!inside(o.name, parent)) continue;
      if (!o.lastFailed) o.aborted = true;
      close(o, 'failed');
    }
  };
  // A redrive resumes a failed Parallel or Map state without entering it
  // again: its visit runs on.
  const resumed = (type) => {
    for (let i = visits.length - 1; i >= 0; i--) {
      const x = visits[i];
      if (typeOf(x.name) !== type || !x.redriven) continue;
      Object.assign(x, { status: 'running', lastFailed: false, redriven: false, aborted: false });
      open.push(x);
      return x;
    }
    return null;
  };
  const transitions = [];
  let ended = null;

  for (const ev of events) {
    const t = ev.type || '';
    const d = details(ev);
    let v = null;
    if (t.endsWith('StateEntered')) {
      const from = ev.previousEventId > 0 ? findUp(ev.previousEventId, () => true) : null;
      v = {
        name: d.name, enteredId: ev.id, input: d.input, output: undefined, status: 'running', attempts: [],
        retries: 0, error: undefined, cause: undefined, entered: ev.timestamp, exited: undefined, lastFailed: false,
        iteration: undefined,
      };
      if (from) {
        const fromEv = byId.get(ev.previousEventId);
        if (from.name === g.states.get(d.name)?.parent) {
          if (fromEv && fromEv.type === 'MapIterationStarted') v.iteration = details(fromEv).index;
        } else {
          v.iteration = from.iteration;
        }
      }
      transitions.push({ from: from ? from.name : null, fromVisit: from, to: d.name });
      visits.push(v);
      open.push(v);
      if (t === 'FailStateEntered') v.lastFailed = true;
    } else if (t.endsWith('StateExited')) {
      v = findUp(ev.previousEventId, (x) => x.name === d.name && x.status === 'running') ||
        findUp(ev.previousEventId, (x) => x.name === d.name);
      if (v) {
        v.output = d.output;
        v.exited = ev.timestamp;
        close(v, v.lastFailed ? 'caught' : 'succeeded');
        closeInside(v.name);
      }
    } else if (t.startsWith('MapIteration')) {
      v = findUp(ev.previousEventId, (x) => x.name === d.name && x.status === 'running');
    } else if (t.startsWith('ParallelState') || t.startsWith('MapState') || t.startsWith('MapRun')) {
      const want = t.startsWith('Parallel') ? 'Parallel' : 'Map';
      v = findUp(ev.previousEventId, (x) => typeOf(x.name) === want && x.status === 'running') ||
        (t === 'MapRunRedriven' || t.endsWith('Succeeded') ? resumed(want) : null);
    } else if (!t.startsWith('Execution')) {
      v = ev.previousEventId > 0 ? findUp(ev.previousEventId, () => true) : (open[open.length - 1] || null);
    }
    if (v) {
      eventVisit.set(ev.id, v);
      if (ATTEMPT_SCHEDULED.has(t)) {
        v.attempts.push({ scheduledId: ev.id, failed: false, error: undefined, cause: undefined, at: ev.timestamp });
        v.retries = Math.max(0, v.attempts.length - 1);
      }
      if (ATTEMPT_FAILED.has(t)) {
        v.lastFailed = true;
        v.error = d.error;
        v.cause = d.cause;
        const a = v.attempts[v.attempts.length - 1];
        if (a && !a.failed) Object.assign(a, { failed: true, error: d.error, cause: d.cause });
      } else if (ATTEMPT_SUCCEEDED.has(t)) {
        v.lastFailed = false;
      }
      if (STATE_ABORTED.has(t)) { v.aborted = true; close(v, 'failed'); }
      if (t === 'ParallelStateFailed' || t === 'MapStateFailed' || t === 'ParallelStateAborted' || t === 'MapStateAborted') {
        closeInside(v.name);
      }
    }
    switch (t) {
      case 'ExecutionFailed': case 'ExecutionAborted': case 'ExecutionTimedOut':
        ended = t;
        for (const o of [...open]) {
          if (t !== 'ExecutionFailed') o.aborted = true;
          if (t === 'ExecutionFailed' && o.error === undefined && o.cause === undefined) { o.error = d.error; o.cause = d.cause; }
          close(o, 'failed');
        }
        break;
      case 'ExecutionSucceeded':
        ended = t;
        for (const o of [...open]) close(o, o.lastFailed ? 'failed' : 'succeeded');
        break;
      case 'ExecutionRedriven':
        ended = null;
        for (const x of visits) if (x.status === 'failed') x.redriven = true;
        break;
    }
  }
  // A finished execution whose history we read leaves nothing running.
  if (!ended && executionStatus && executionStatus !== 'RUNNING') {
    for (const o of [...open]) close(o, executionStatus === 'SUCCEEDED' ? 'succeeded' : 'failed');
  }

  const rank = { running: 4, failed: 3, caught: 2, succeeded: 1 };
  const states = new Map();
  for (const v of visits) {
    let s = states.get(v.name);
    if (!s) { s = { status: 'notreached', visits: [] }; states.set(v.name, s); }
    s.visits.push(v);
  }
  for (const s of states.values()) {
    const live = s.visits.filter((v) => !v.redriven);
    const counted = live.length ? live : s.visits;
    s.status = counted.reduce((best, v) => ((rank[v.status] || 0) > (rank[best] || 0) ? v.status : best), 'notreached');
  }

  const taken = new Set();
  for (const tr of transitions) {
    for (const e of g.edges) {
      if (e.to !== tr.to || e.from !== tr.from) continue;
      if (e.kind === 'start' || e.kind === 'branch') { taken.add(e.id); continue; }
      const viaCatch = !!(tr.fromVisit && tr.fromVisit.lastFailed);
      if ((e.kind === 'catch') === viaCatch) taken.add(e.id);
    }
  }
  for (const e of g.edges) {
    if (e.kind !== 'end') continue;
    const s = states.get(e.from);
    if (s && s.visits.some((v) => v.status === 'succeeded' || v.status === 'caught')) taken.add(e.id);
  }
  const eventState = new Map();
  for (const [id, v] of eventVisit) eventState.set(id, v.name);
  return { states, taken, eventState, visits };
}
