// stepd console: a hash-routed single page over the public Step Functions,
// Lambda and CloudWatch Logs APIs.
//
// Routes:
//   #/state-machines              list, with execution counts by status
//   #/state-machines/<arn>        definition, graph, executions, start
//   #/executions?sm=<arn>&status= executions of a state machine
//   #/executions/<arn>            one execution, live while it runs
//   #/functions                   Lambda functions
//   #/functions/<name>            configuration, invoke, recent invocations
//   #/activities                  activities and their pending tasks

import { ApiError, all, history, lambda, logs, sfn } from './api.js';
import { OUTCOMES, OUTCOME_LABELS, analyze, buildGraph, details, render } from './graph.js';
import { badge, checkJSON, dl, fmtDate, fmtDuration, h, jsonBlock, pretty, table, toMillis } from './ui.js';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
const POLL_MS = 500;

const view = document.getElementById('view');
const flashBox = document.getElementById('flash');

// Each navigation bumps the generation; work started for an older page
// (a poll, a slow fetch) checks it and stops.
let generation = 0;

/** flash shows a message above the page; kind is "error" or "info". */
function flash(message, kind = 'error') {
  flashBox.textContent = '';
  if (!message) { flashBox.hidden = true; return; }
  flashBox.hidden = false;
  flashBox.className = 'flash ' + kind;
  flashBox.append(h('span.flash-text', message), h('button.flash-close', { type: 'button', 'aria-label': 'Dismiss', onclick: () => flash('') }, '×'));
}

function errText(e) {
  return e instanceof ApiError ? e.message : String(e && e.message ? e.message : e);
}

const enc = encodeURIComponent;
const link = (href, text, attrs) => h('a', { href, ...(attrs || {}) }, text);
const smLink = (arn, text) => link('#/state-machines/' + enc(arn), text || arn.split(':').pop());
const execLink = (arn, text) => link('#/executions/' + enc(arn), text || arn.split(':').pop());

function setNav(section) {
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.section === section);
}

function page(title, ...body) {
  view.textContent = '';
  view.append(h('h1', title), ...body);
  document.title = `${typeof title === 'string' ? title : title.textContent} — stepd`;
}

// ---------------------------------------------------------------- state machines

async function stateMachinesPage(gen) {
  setNav('state-machines');
  const machines = await all('ListStateMachines', { maxResults: 1000 }, 'stateMachines');
  if (gen !== generation) return;
  const counts = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
  const rows = machines.map((m) => h('tr', { dataset: { arn: m.stateMachineArn } },
    h('td', smLink(m.stateMachineArn, m.name)), h('td', m.type), h('td', fmtDate(m.creationDate)),
    counts.map((s) => h('td.num', { dataset: { count: s } }, '…'))));
  page('State machines',
    machines.length ? table('state-machines', ['Name', 'Type', 'Created', 'Running', 'Succeeded', 'Failed', 'Timed out', 'Aborted'], rows)
      : h('p.empty', 'No state machines yet. Create one with ', h('code', 'aws stepfunctions create-state-machine --endpoint-url ' + location.origin), '.'));
  // Counts come from ListExecutions, one state machine at a time.
  for (const m of machines) {
    const execs = await all('ListExecutions', { stateMachineArn: m.stateMachineArn, maxResults: 1000 }, 'executions', 100000)
      .catch(() => null);
    if (gen !== generation) return;
    const tr = rows.find((r) => r.dataset.arn === m.stateMachineArn);
    for (const s of counts) {
      const td = tr.querySelector(`[data-count="${s}"]`);
      const n = execs ? execs.filter((x) => x.status === s).length : '?';
      td.textContent = String(n);
      td.classList.toggle('zero', n === 0);
      if (n) td.classList.add('c-' + s.toLowerCase().replace('_', '-'));
    }
  }
}

async function stateMachinePage(gen, arn) {
  setNav('state-machines');
  const sm = await sfn('DescribeStateMachine', { stateMachineArn: arn });
  if (gen !== generation) return;
  let def = null;
  try { def = JSON.parse(sm.definition); } catch { /* shown as text below */ }
  const graphBox = h('div.graph-box#graph');
  page(h('span', sm.name, ' ', h('span.type-tag', sm.type)),
    h('div.actions', h('button.primary#start-execution', { type: 'button', onclick: () => startDialog(sm) }, 'Start execution')),
    dl([['ARN', h('code', sm.stateMachineArn)], ['Type', sm.type], ['Status', sm.status], ['Created', fmtDate(sm.creationDate)],
      ['Role', sm.roleArn], sm.revisionId && ['Revision', sm.revisionId]]),
    h('section.panel', h('h2', 'Executions'), executionList(gen, arn, {})),
    h('div.split',
      h('section.panel.graph-panel', h('h2', 'Visual workflow'), graphBox, legend(false)),
      h('section.panel', h('h2', 'Definition'), jsonBlock(sm.definition, false, 'definition'))));
  if (def) drawGraph(graphBox, def);
  else graphBox.append(h('p.empty', 'The definition is not JSON; no graph.'));
}

function drawGraph(box, def) {
  try {
    return render(box, buildGraph(def));
  } catch (e) {
    box.textContent = '';
    box.append(h('p.error', 'Cannot draw this definition: ' + errText(e)));
    return null;
  }
}

function legend(withOutcomes) {
  const items = withOutcomes ? OUTCOMES.map((o) => h('span.legend-item', h('span.swatch', { class: 'st-' + o }), OUTCOME_LABELS[o])) : [];
  return h('div.legend', items,
    h('span.legend-item', h('span.line.solid'), 'Next'),
    h('span.legend-item', h('span.line.dashed'), 'Catch'),
    h('span.legend-item', h('span.cluster-swatch'), 'Parallel branch / Map iteration'));
}

/** startDialog asks for a name and an input and starts an execution. */
function startDialog(sm, input) {
  const err = h('p.field-error#start-input-error', { role: 'alert' });
  const area = h('textarea#start-input', { rows: 12, spellcheck: 'false', 'aria-label': 'Execution input (JSON)' },
    input ?? '{\n  "Comment": "Insert your JSON here"\n}');
  const name = h('input#start-name', { type: 'text', placeholder: 'generated when empty', autocomplete: 'off', 'aria-label': 'Execution name' });
  const validate = () => { const m = checkJSON(area.value); err.textContent = m; area.classList.toggle('invalid', !!m); return !m; };
  area.addEventListener('input', validate);
  const startBtn = h('button.primary#start-submit', { type: 'button' }, 'Start execution');
  const dlg = h('dialog#start-dialog',
    h('h2', 'Start execution: ' + sm.name),
    h('label', 'Name', name),
    h('label', 'Input', area), err,
    h('div.actions',
      h('button', { type: 'button', onclick: () => { area.value = pretty(area.value); validate(); } }, 'Format JSON'),
      h('button', { type: 'button', onclick: () => dlg.close() }, 'Cancel'), startBtn));
  startBtn.addEventListener('click', async () => {
    if (!validate()) return;
    startBtn.disabled = true;
    try {
      const out = await sfn('StartExecution', { stateMachineArn: sm.stateMachineArn, input: area.value, name: name.value.trim() || undefined });
      dlg.close();
      location.hash = '#/executions/' + enc(out.executionArn);
    } catch (e) {
      err.textContent = errText(e);
    } finally {
      startBtn.disabled = false;
    }
  });
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  area.focus();
}

// ---------------------------------------------------------------- executions

/**
 * executionList shows a state machine's executions with a status filter and
 * paging (ListExecutions' statusFilter, maxResults and nextToken).
 */
function executionList(gen, smArn, { status = '', size = 10 }) {
  const box = h('div.exec-list');
  const filter = h('select#status-filter', { 'aria-label': 'Status filter' },
    h('option', { value: '' }, 'All statuses'), STATUSES.map((s) => h('option', { value: s }, s.replace(/_/g, ' '))));
  filter.value = status;
  const sizeSel = h('select#page-size', { 'aria-label': 'Page size' }, [10, 25, 50, 100].map((n) => h('option', { value: n }, `${n} per page`)));
  sizeSel.value = String(size);
  const prev = h('button#prev-page', { type: 'button' }, '‹ Previous');
  const next = h('button#next-page', { type: 'button' }, 'Next ›');
  const pageNo = h('span#page-number');
  const body = h('div');
  const tokens = [undefined]; // tokens[i] starts page i
  let index = 0;
  let timer;
  // While a listed execution runs, the page reloads itself every 2 s.
  const load = async (quiet) => {
    clearTimeout(timer);
    if (!quiet) prev.disabled = next.disabled = true;
    try {
      const out = await sfn('ListExecutions', {
        stateMachineArn: smArn, statusFilter: filter.value || undefined, maxResults: Number(sizeSel.value), nextToken: tokens[index],
      });
      if (gen !== generation) return;
      tokens[index + 1] = out.nextToken;
      body.textContent = '';
      const rows = (out.executions || []).map((x) => {
        const stop = toMillis(x.stopDate);
        return h('tr', { dataset: { arn: x.executionArn, status: x.status } },
          h('td', execLink(x.executionArn, x.name)), h('td', badge(x.status)), h('td', fmtDate(x.startDate)),
          h('td', fmtDate(x.stopDate)), h('td.num', stop ? fmtDuration(stop - toMillis(x.startDate)) : '—'));
      });
      body.append(rows.length ? table('executions', ['Name', 'Status', 'Started', 'Ended', 'Duration'], rows)
        : h('p.empty#no-executions', filter.value ? `No ${filter.value.replace(/_/g, ' ')} executions.` : 'No executions yet.'));
      pageNo.textContent = `Page ${index + 1}`;
      prev.disabled = index === 0;
      next.disabled = !out.nextToken;
      if ((out.executions || []).some((x) => x.status === 'RUNNING')) {
        timer = setTimeout(() => { if (gen === generation) load(true); }, 2000);
      }
    } catch (e) {
      body.textContent = '';
      body.append(h('p.error', errText(e)));
    }
  };
  const restart = () => { tokens.length = 1; index = 0; load(); };
  filter.addEventListener('change', restart);
  sizeSel.addEventListener('change', restart);
  prev.addEventListener('click', () => { if (index > 0) { index--; load(); } });
  next.addEventListener('click', () => { if (tokens[index + 1]) { index++; load(); } });
  box.append(h('div.toolbar', filter, sizeSel, h('span.spacer'), prev, pageNo, next), body);
  load();
  return box;
}

async function executionsPage(gen, params) {
  setNav('executions');
  const machines = await all('ListStateMachines', { maxResults: 1000 }, 'stateMachines');
  if (gen !== generation) return;
  if (!machines.length) {
    page('Executions', h('p.empty', 'No state machines yet, so no executions.'));
    return;
  }
  const smArn = params.get('sm') || machines[0].stateMachineArn;
  const pick = h('select#state-machine-select', { 'aria-label': 'State machine' },
    machines.map((m) => h('option', { value: m.stateMachineArn }, m.name)));
  pick.value = smArn;
  pick.addEventListener('change', () => { location.hash = '#/executions?sm=' + enc(pick.value); });
  const sm = machines.find((m) => m.stateMachineArn === smArn);
  page('Executions',
    h('div.toolbar', pick, sm && h('button.primary#start-execution', {
      type: 'button', onclick: async () => startDialog(await sfn('DescribeStateMachine', { stateMachineArn: smArn })),
    }, 'Start execution')),
    h('section.panel', executionList(gen, smArn, { status: params.get('status') || '' })));
}

/** execution page: summary, graph coloured by outcome, step details, events. */
async function executionPage(gen, arn) {
  setNav('executions');
  const [desc, smDef] = await Promise.all([
    sfn('DescribeExecution', { executionArn: arn }),
    sfn('DescribeStateMachineForExecution', { executionArn: arn }),
  ]);
  if (gen !== generation) return;
  let def = null;
  try { def = JSON.parse(smDef.definition); } catch { /* no graph */ }

  const statusBox = h('span#exec-status-box');
  const stopBtn = h('button.danger#stop-execution', { type: 'button' }, 'Stop execution');
  const redriveBtn = h('button#redrive-execution', { type: 'button' }, 'Redrive');
  const newBtn = h('button#new-execution', { type: 'button' }, 'New execution');
  const summary = h('div#exec-summary');
  const errorBox = h('div#exec-error-box');
  const inputBox = h('div');
  const outputBox = h('div');
  const graphBox = h('div.graph-box#graph');
  const stepBox = h('div#step-details.step-details', h('p.hint', 'Select a state in the graph to see its input, output, error and retries.'));
  const eventsBody = h('tbody');
  const eventsTable = h('div.table-wrap', h('table#events',
    h('thead', h('tr', ['', 'ID', 'Type', 'Step', 'Resource', 'Started after', 'Date and time'].map((x) => h('th', x)))), eventsBody));
  const eventCount = h('span#event-count');

  page(h('span', h('span#exec-name', desc.name), ' ', statusBox),
    h('div.actions', stopBtn, redriveBtn, newBtn),
    h('div.exec-top', h('section.panel', h('h2', 'Details'), summary),
      h('section.panel', h('h2', 'Input'), inputBox), h('section.panel', h('h2', 'Output'), outputBox)),
    errorBox,
    h('div.split.graph-split',
      h('section.panel.graph-panel', h('h2', 'Graph view'), graphBox, legend(true)),
      h('section.panel', h('h2', 'Step details'), stepBox)),
    h('section.panel', h('h2', 'Events ', eventCount), eventsTable));

  const graphView = def ? drawGraph(graphBox, def) : null;
  if (!def) graphBox.append(h('p.empty', 'The definition is not JSON; no graph.'));

  let state = { desc, events: [], analysis: null };
  const expanded = new Set();

  const showStep = (name) => {
    stepBox.textContent = '';
    if (!name || !graphView) {
      stepBox.append(h('p.hint', 'Select a state in the graph to see its input, output, error and retries.'));
      return;
    }
    stepBox.append(stepDetails(name, graphView.graph.states.get(name), state.analysis?.states.get(name), toMillis(state.desc.startDate)));
  };
  if (graphView) graphView.onSelect = (name) => showStep(name);

  stopBtn.addEventListener('click', async () => {
    if (!confirmAction('Stop this execution?')) return;
    stopBtn.disabled = true;
    try {
      await sfn('StopExecution', { executionArn: arn, error: 'Stopped', cause: 'Stopped from the stepd console' });
      flash('Execution stopped.', 'info');
      await refresh();
    } catch (e) {
      flash(errText(e));
      stopBtn.disabled = state.desc.status !== 'RUNNING';
    }
  });
  redriveBtn.addEventListener('click', async () => {
    redriveBtn.disabled = true;
    try {
      await sfn('RedriveExecution', { executionArn: arn });
      flash('Execution redriven.', 'info');
      await refresh();
      poll();
    } catch (e) {
      flash('Redrive failed: ' + errText(e));
      redriveBtn.disabled = false;
    }
  });
  newBtn.addEventListener('click', async () => {
    try {
      const sm = await sfn('DescribeStateMachine', { stateMachineArn: state.desc.stateMachineArn });
      startDialog(sm, pretty(state.desc.input));
    } catch (e) { flash(errText(e)); }
  });

  const renderSummary = () => {
    const d = state.desc;
    const start = toMillis(d.startDate), stop = toMillis(d.stopDate);
    statusBox.textContent = '';
    statusBox.append(badge(d.status, 'exec-status'));
    stopBtn.disabled = d.status !== 'RUNNING';
    // DescribeExecution's redriveStatus says whether RedriveExecution may
    // run it again; without it, the status decides.
    redriveBtn.disabled = d.redriveStatus ? d.redriveStatus !== 'REDRIVABLE' : !['FAILED', 'ABORTED', 'TIMED_OUT'].includes(d.status);
    redriveBtn.title = d.redriveStatusReason || '';
    summary.textContent = '';
    summary.append(dl([
      ['Execution ARN', h('code', d.executionArn)],
      ['State machine', smLink(d.stateMachineArn)],
      ['Status', d.status],
      ['Started', fmtDate(d.startDate)],
      ['Ended', fmtDate(d.stopDate)],
      ['Duration', h('span#exec-duration', fmtDuration((stop || Date.now()) - start) + (stop ? '' : ' (running)'))],
      d.redriveCount !== undefined && ['Redrives', String(d.redriveCount)],
      d.redriveStatus && ['Redrive status', d.redriveStatus],
    ]));
    errorBox.textContent = '';
    if (d.error !== undefined || d.cause !== undefined) {
      errorBox.append(h('section.panel.error-panel', h('h2', 'Error'),
        dl([['Error', h('code#exec-error', d.error ?? '—')], ['Cause', h('pre#exec-cause.cause', d.cause ?? '—')]])));
    }
    inputBox.textContent = '';
    inputBox.append(jsonBlock(d.input ?? '', true, 'exec-input'));
    outputBox.textContent = '';
    outputBox.append(d.output !== undefined ? jsonBlock(d.output, true, 'exec-output')
      : h('p.empty#exec-output', d.status === 'RUNNING' ? 'No output yet.' : 'No output.'));
  };

  const renderEvents = () => {
    const start = toMillis(state.desc.startDate);
    eventCount.textContent = `(${state.events.length})`;
    // Rows are appended as events arrive; earlier rows never change.
    const have = eventsBody.querySelectorAll('tr.event').length;
    for (const ev of state.events.slice(have)) {
      const d = details(ev);
      const failed = /Failed|TimedOut|Aborted/.test(ev.type);
      const toggle = h('button.expand', { type: 'button', 'aria-expanded': 'false', 'aria-label': 'Show details of event ' + ev.id }, '▸');
      const tr = h('tr.event', { dataset: { eventId: ev.id, type: ev.type }, class: failed ? 'ev-failed' : '' },
        h('td', toggle), h('td.num', String(ev.id)), h('td.ev-type', ev.type),
        h('td.ev-step', state.analysis?.eventState.get(ev.id) || ''),
        h('td.ev-resource', d.resource ? d.resource.split(':').slice(-2).join(':') : ''),
        h('td.num', fmtDuration(toMillis(ev.timestamp) - start)), h('td', fmtDate(ev.timestamp)));
      const detailRow = h('tr.event-details', { hidden: true, dataset: { eventId: ev.id } },
        h('td', { colspan: 7 }, jsonBlock(JSON.stringify(expandPayloads(ev)))));
      const flip = () => {
        const open = detailRow.hidden;
        detailRow.hidden = !open;
        toggle.textContent = open ? '▾' : '▸';
        toggle.setAttribute('aria-expanded', String(open));
        if (open) expanded.add(ev.id); else expanded.delete(ev.id);
      };
      toggle.addEventListener('click', (e) => { e.stopPropagation(); flip(); });
      tr.addEventListener('click', flip);
      eventsBody.append(tr, detailRow);
    }
  };

  const refresh = async () => {
    // DescribeExecution first, then the history: an execution and its
    // events commit together, so a history read after a terminal status
    // holds every event of the run. Read side by side, the history could
    // be the older of the two, and polling would stop short of the end.
    const d = await sfn('DescribeExecution', { executionArn: arn });
    const events = await history(arn);
    if (gen !== generation) return;
    state = { desc: d, events, analysis: graphView ? analyze(graphView.graph, events, d.status) : null };
    renderSummary();
    if (graphView) {
      graphView.setAnalysis(state.analysis);
      if (graphView.selected) showStep(graphView.selected);
    }
    renderEvents();
  };

  // A running execution updates live: poll until it ends.
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      while (gen === generation && state.desc.status === 'RUNNING') {
        await new Promise((r) => setTimeout(r, POLL_MS));
        if (gen !== generation) return;
        try { await refresh(); } catch (e) { flash(errText(e)); }
      }
    } finally {
      polling = false;
    }
  };
  await refresh();
  document.body.dataset.loaded = 'execution';
  poll();
}

function confirmAction(message) {
  return window.confirm(message);
}

/** expandPayloads turns an event's JSON-string input/output into values for display. */
function expandPayloads(ev) {
  const copy = JSON.parse(JSON.stringify(ev));
  for (const d of Object.values(copy)) {
    if (!d || typeof d !== 'object') continue;
    for (const k of ['input', 'output', 'result', 'cause', 'parameters']) {
      if (typeof d[k] === 'string') {
        try { d[k] = JSON.parse(d[k]); } catch { /* keep the string */ }
      }
    }
  }
  return copy;
}

/** errorMessage digs the message out of a Lambda error cause, when it is one. */
function causeSummary(cause) {
  if (typeof cause !== 'string') return '';
  try {
    const c = JSON.parse(cause);
    if (c && typeof c.errorMessage === 'string') return c.errorMessage;
  } catch { /* plain text */ }
  return cause;
}

function stepDetails(name, st, s, execStart) {
  const status = s?.status || 'notreached';
  const out = h('div', { dataset: { state: name, status } },
    h('h3', h('span.step-name', name), ' ', h('span.outcome', { class: 'st-' + status, 'data-status': status }, OUTCOME_LABELS[status])),
    h('p.step-type', st?.def?.Type || ''));
  if (!s || !s.visits.length) {
    out.append(h('p.empty', 'Not reached in this execution.'));
  } else {
    const shown = s.visits.slice(-10);
    if (s.visits.length > shown.length) out.append(h('p.hint', `Showing the last ${shown.length} of ${s.visits.length} visits.`));
    shown.forEach((v, i) => {
      const n = s.visits.length - shown.length + i + 1;
      const attempts = v.attempts.length ? h('ol.attempts', v.attempts.map((a) => h('li', { class: a.failed ? 'failed' : 'ok' },
        a.failed ? `${a.error || 'failed'}${a.cause ? ' — ' + causeSummary(a.cause) : ''}` : 'succeeded'))) : null;
      const exited = toMillis(v.exited);
      out.append(h('div.visit', { dataset: { visit: n, status: v.status } },
        s.visits.length > 1 ? h('h4', `Visit ${n} of ${s.visits.length}`) : null,
        dl([
          ['Outcome', h('span.visit-status', { class: 'st-' + v.status }, OUTCOME_LABELS[v.status] + (v.aborted ? ' (stopped)' : ''))],
          v.iteration !== undefined && ['Iteration', String(v.iteration)],
          ['Entered', `${fmtDate(v.entered)} (+${fmtDuration(toMillis(v.entered) - execStart)})`],
          ['Duration', exited ? fmtDuration(exited - toMillis(v.entered)) : (v.status === 'running' ? 'running' : '—')],
          v.attempts.length && ['Retries', h('span.retries', String(v.retries))],
          v.attempts.length && ['Attempts', attempts],
          v.error !== undefined && ['Error', h('code.step-error', v.error)],
          v.cause !== undefined && ['Cause', h('pre.cause.step-cause', pretty(v.cause))],
        ]),
        h('h5', 'Input'), jsonBlock(v.input ?? '', true),
        h('h5', 'Output'), v.output !== undefined ? jsonBlock(v.output, true) : h('p.empty', 'No output.')));
    });
  }
  if (st) out.append(h('details.state-def', h('summary', 'Definition'), jsonBlock(JSON.stringify(st.def))));
  return out;
}

async function executionRoute(gen, arn) {
  try {
    await executionPage(gen, arn);
  } catch (e) {
    if (gen === generation) page('Execution', h('p.error', errText(e)));
  }
}

// ---------------------------------------------------------------- functions

async function functionsPage(gen) {
  setNav('functions');
  const fns = [];
  let marker;
  do {
    const out = await lambda('GET', '/2015-03-31/functions?MaxItems=50' + (marker ? '&Marker=' + enc(marker) : ''));
    fns.push(...(out.json.Functions || []));
    marker = out.json.NextMarker;
  } while (marker);
  if (gen !== generation) return;
  const rows = fns.map((f) => h('tr', { dataset: { name: f.FunctionName } },
    h('td', link('#/functions/' + enc(f.FunctionName), f.FunctionName)), h('td', f.Runtime || f.PackageType || ''),
    h('td', f.Handler || ''), h('td.num', `${f.MemorySize} MB`), h('td.num', `${f.Timeout} s`), h('td', fmtDate(f.LastModified))));
  page('Functions', fns.length ? table('functions', ['Name', 'Runtime', 'Handler', 'Memory', 'Timeout', 'Last modified'], rows)
    : h('p.empty', 'No functions yet. Create one with ', h('code', 'aws lambda create-function --endpoint-url ' + location.origin), '.'));
}

function b64decode(s) {
  const bin = atob(s);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

async function functionPage(gen, name) {
  setNav('functions');
  const out = await lambda('GET', '/2015-03-31/functions/' + enc(name));
  if (gen !== generation) return;
  const c = out.json.Configuration || {};
  const env = c.Environment && c.Environment.Variables ? Object.entries(c.Environment.Variables) : [];
  const invokeInput = h('textarea#invoke-input', { rows: 8, spellcheck: 'false', 'aria-label': 'Test event (JSON)' }, '{\n  "key": "value"\n}');
  const invokeErr = h('p.field-error#invoke-input-error', { role: 'alert' });
  const invokeBtn = h('button.primary#invoke', { type: 'button' }, 'Invoke');
  const result = h('div#invoke-result');
  const invocations = h('div#invocations-box', h('p.hint', 'Loading…'));
  invokeInput.addEventListener('input', () => { invokeErr.textContent = checkJSON(invokeInput.value); });

  page(h('span', c.FunctionName, ' ', h('span.type-tag', c.Runtime || c.PackageType || '')),
    h('div.split',
      h('section.panel', h('h2', 'Configuration'), h('div#fn-config', dl([
        ['ARN', h('code', c.FunctionArn)], ['Runtime', c.Runtime], ['Handler', c.Handler], ['Role', c.Role],
        ['Memory', `${c.MemorySize} MB`], ['Timeout', `${c.Timeout} s`], ['Code size', `${c.CodeSize} bytes`],
        ['Code SHA-256', c.CodeSha256], ['State', c.State], ['Last modified', fmtDate(c.LastModified)],
        ['Architectures', (c.Architectures || []).join(', ')], c.Description && ['Description', c.Description],
        ['Environment', env.length ? h('ul.env', env.map(([k, v]) => h('li', h('code', k), ' = ', h('code', v)))) : 'none'],
      ]))),
      h('section.panel', h('h2', 'Test'), h('label', 'Test event', invokeInput), invokeErr,
        h('div.actions', invokeBtn), result)),
    h('section.panel', h('h2', 'Recent invocations'), invocations));

  // The list reloads every 3 s while the page is open; it is redrawn only
  // when it changed, and rows opened to show their log stay open.
  const opened = new Set();
  let shown = null;
  let timer;
  const loadInvocations = async () => {
    clearTimeout(timer);
    try {
      const list = await recentInvocations(name);
      if (gen !== generation) return;
      const sig = list.map((i) => `${i.id}/${i.status}/${i.duration}/${i.lines.length}`).join();
      if (sig === shown) return;
      shown = sig;
      invocations.textContent = '';
      if (!list.length) { invocations.append(h('p.empty#no-invocations', 'No invocations yet.')); return; }
      const rows = [];
      for (const inv of list) {
        const logRow = h('tr.inv-log', { hidden: !opened.has(inv.id) }, h('td', { colspan: 5 }, h('pre.log', inv.lines.join(''))));
        const tr = h('tr.invocation', { dataset: { requestId: inv.id, status: inv.status } },
          h('td', fmtDate(inv.start)), h('td', h('code', inv.id)), h('td', badge(inv.status)),
          h('td.num', inv.duration || '—'), h('td', inv.init ? 'cold start' : ''));
        tr.addEventListener('click', () => {
          logRow.hidden = !logRow.hidden;
          if (logRow.hidden) opened.delete(inv.id); else opened.add(inv.id);
        });
        rows.push(tr, logRow);
      }
      invocations.append(h('p.hint', 'From the function\'s log group (CloudWatch Logs API). Click a row for its log.'),
        table('invocations', ['Time', 'Request ID', 'Status', 'Duration', ''], rows));
    } catch (e) {
      shown = null;
      invocations.textContent = '';
      invocations.append(e instanceof ApiError && e.code === 'ResourceNotFoundException'
        ? h('p.empty#no-invocations', 'No invocations yet.') : h('p.error', errText(e)));
    } finally {
      if (gen === generation) timer = setTimeout(loadInvocations, 3000);
    }
  };

  invokeBtn.addEventListener('click', async () => {
    const bad = checkJSON(invokeInput.value);
    invokeErr.textContent = bad;
    if (bad) return;
    invokeBtn.disabled = true;
    result.textContent = '';
    result.append(h('p.hint', 'Invoking…'));
    const t0 = performance.now();
    try {
      const r = await lambda('POST', `/2015-03-31/functions/${enc(name)}/invocations`, invokeInput.value,
        { 'X-Amz-Invocation-Type': 'RequestResponse', 'X-Amz-Log-Type': 'Tail' });
      const fnErr = r.headers.get('X-Amz-Function-Error');
      const logText = (r.headers.get('X-Amz-Log-Result') ? b64decode(r.headers.get('X-Amz-Log-Result')) : '').replace(/\r/g, '\n');
      const report = logText.match(/Duration: ([\d.]+ ms)/);
      result.textContent = '';
      result.append(
        dl([['Status', badge(fnErr ? 'FAILED' : 'SUCCEEDED', 'invoke-status')], fnErr && ['Function error', fnErr],
          ['Duration', report ? report[1] : fmtDuration(performance.now() - t0)], ['Request ID', r.headers.get('X-Amzn-Requestid') || '—']]),
        h('h5', 'Response'), jsonBlock(r.text, true, 'invoke-payload'),
        h('h5', 'Log output (last 4 KB)'), h('pre.log#invoke-log', logText));
      loadInvocations();
    } catch (e) {
      result.textContent = '';
      result.append(h('p.error#invoke-error', errText(e)));
    } finally {
      invokeBtn.disabled = false;
    }
  });
  loadInvocations();
}

/**
 * recentInvocations reads a function's log group with FilterLogEvents and
 * groups the lines into invocations (START … REPORT), newest first.
 */
async function recentInvocations(name, max = 25) {
  const events = [];
  let token;
  do {
    const out = await logs('FilterLogEvents', { logGroupName: '/aws/lambda/' + name, nextToken: token, limit: 10000 });
    events.push(...(out.events || []));
    token = out.nextToken;
  } while (token && events.length < 50000);
  const byId = new Map();
  const current = new Map(); // stream → invocation being logged
  const list = [];
  for (const ev of events) {
    const msg = ev.message || '';
    let m = msg.match(/^START RequestId: (\S+)/);
    if (m) {
      const inv = { id: m[1], start: ev.timestamp, lines: [], status: 'SUCCEEDED', duration: '', init: false, stream: ev.logStreamName };
      byId.set(inv.id, inv);
      current.set(ev.logStreamName, inv);
      list.push(inv);
    }
    m = msg.match(/^(?:END|REPORT) RequestId: (\S+)/);
    const inv = (m && byId.get(m[1])) || current.get(ev.logStreamName);
    if (!inv) continue;
    inv.lines.push(msg.replace(/\r/g, '\n').replace(/([^\n])$/, '$1\n'));
    if (/^\[ERROR\]|"errorType"|^\S+ \S+ Task timed out/.test(msg)) inv.status = 'FAILED';
    const r = msg.match(/^REPORT RequestId: \S+\tDuration: ([\d.]+ ms)/);
    if (r) {
      inv.duration = r[1];
      if (/Init Duration/.test(msg)) inv.init = true;
      if (/Status: (error|timeout)/.test(msg)) inv.status = 'FAILED';
      current.delete(ev.logStreamName);
    }
  }
  return list.reverse().slice(0, max);
}

// ---------------------------------------------------------------- activities

async function activitiesPage(gen) {
  setNav('activities');
  const acts = await all('ListActivities', { maxResults: 1000 }, 'activities');
  if (gen !== generation) return;
  const countCells = new Map();
  const rows = acts.map((a) => {
    const td = h('td.num', { dataset: { pending: a.activityArn } }, '…');
    countCells.set(a.activityArn, td);
    return h('tr', { dataset: { arn: a.activityArn } }, h('td', a.name), h('td', h('code', a.activityArn)), h('td', fmtDate(a.creationDate)), td);
  });
  const pendingBox = h('div#pending-box', h('p.hint', 'Looking for tasks in running executions…'));
  page('Activities',
    acts.length ? table('activities', ['Name', 'ARN', 'Created', 'Pending tasks'], rows)
      : h('p.empty', 'No activities yet. Create one with ', h('code', 'aws stepfunctions create-activity --endpoint-url ' + location.origin), '.'),
    h('section.panel', h('h2', 'Pending tasks'),
      h('p.hint', 'Tasks of running executions waiting for a worker (GetActivityTask) or for the worker\'s answer (SendTaskSuccess/SendTaskFailure).'),
      pendingBox));
  if (!acts.length) { pendingBox.textContent = ''; pendingBox.append(h('p.empty', 'No activities.')); return; }

  // Pending tasks come and go; look again every 3 s while the page is open.
  let shown = null;
  const load = async () => {
    try {
      const tasks = await pendingActivityTasks(new Set(acts.map((a) => a.activityArn)));
      if (gen !== generation) return;
      for (const [arn, td] of countCells) td.textContent = String(tasks.filter((t) => t.activity === arn).length);
      const sig = JSON.stringify(tasks);
      if (sig === shown) return;
      shown = sig;
      pendingBox.textContent = '';
      if (!tasks.length) { pendingBox.append(h('p.empty#no-pending', 'No pending tasks.')); return; }
      pendingBox.append(table('pending-tasks', ['Activity', 'Execution', 'State', 'Scheduled', 'Status', 'Input'], tasks.map((t) =>
        h('tr', { dataset: { activity: t.activity, execution: t.execution } },
          h('td', t.activity.split(':').pop()), h('td', execLink(t.execution)), h('td', t.state), h('td', fmtDate(t.scheduled)),
          h('td', t.worker !== undefined ? `With a worker${t.worker ? ' (' + t.worker + ')' : ''}` : 'Waiting for a worker'),
          h('td', h('code', compact(t.input)))))));
    } catch (e) {
      shown = null;
      pendingBox.textContent = '';
      pendingBox.append(h('p.error', errText(e)));
    } finally {
      if (gen === generation) setTimeout(load, 3000);
    }
  };
  await load();
}

function compact(text) {
  try { return JSON.stringify(JSON.parse(text)); } catch { return text; }
}

/** pendingActivityTasks scans running executions' histories for open activity tasks. */
async function pendingActivityTasks(activityArns) {
  const tasks = [];
  const machines = await all('ListStateMachines', { maxResults: 1000 }, 'stateMachines');
  for (const m of machines) {
    const running = await all('ListExecutions', { stateMachineArn: m.stateMachineArn, statusFilter: 'RUNNING', maxResults: 100 }, 'executions', 200);
    for (const x of running) {
      const events = await history(x.executionArn);
      const byId = new Map(events.map((e) => [e.id, e]));
      const open = new Map(); // event id (scheduled or started) → task
      for (const ev of events) {
        const d = details(ev);
        if (ev.type === 'ActivityScheduled' && activityArns.has(d.resource)) {
          const entered = byId.get(ev.previousEventId);
          const t = { activity: d.resource, execution: x.executionArn, state: entered ? details(entered).name || '' : '',
            scheduled: ev.timestamp, input: d.input || '', worker: undefined };
          open.set(ev.id, t);
        } else if (ev.type === 'ActivityStarted' && open.has(ev.previousEventId)) {
          const t = open.get(ev.previousEventId);
          t.worker = d.workerName || '';
          open.set(ev.id, t);
        } else if (/^Activity(Succeeded|Failed|TimedOut)$/.test(ev.type) || /StateAborted$/.test(ev.type)) {
          const t = open.get(ev.previousEventId);
          if (t) for (const [k, v] of [...open]) if (v === t) open.delete(k);
        }
      }
      for (const t of new Set(open.values())) tasks.push(t);
    }
  }
  return tasks;
}

// ---------------------------------------------------------------- router

async function route() {
  const gen = ++generation;
  flash('');
  delete document.body.dataset.loaded;
  const hash = location.hash.replace(/^#/, '') || '/state-machines';
  const [path, query] = hash.split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    switch (parts[0]) {
      case 'state-machines':
        if (parts[1]) await stateMachinePage(gen, parts[1]); else await stateMachinesPage(gen);
        break;
      case 'executions':
        if (parts[1]) { await executionRoute(gen, parts[1]); return; }
        await executionsPage(gen, params);
        break;
      case 'functions':
        if (parts[1]) await functionPage(gen, parts[1]); else await functionsPage(gen);
        break;
      case 'activities':
        await activitiesPage(gen);
        break;
      default:
        page('Not found', h('p.empty', 'No such page. '), link('#/state-machines', 'State machines'));
    }
    if (gen === generation) document.body.dataset.loaded = parts[0] || 'state-machines';
  } catch (e) {
    if (gen === generation) page('Error', h('p.error', errText(e)));
  }
}

window.addEventListener('hashchange', route);
route();
