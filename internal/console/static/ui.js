// Small DOM helpers shared by the console's pages.

/**
 * h builds an element: h('a.link#id', {href, onclick, ...}, children...).
 * Children are nodes, strings or arrays of them; null and false are
 * skipped. Attributes starting with "on" become listeners; "class" and
 * "dataset" are handled; everything else is set as an attribute. No HTML
 * string is ever parsed, so API data cannot inject markup.
 */
export function h(spec, attrs, ...children) {
  const m = spec.match(/^([a-z0-9-]+)?((?:[.#][\w-]+)*)$/i);
  const e = document.createElement((m && m[1]) || 'div');
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === '.') e.classList.add(part.slice(1)); else e.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = [e.className, v].filter(Boolean).join(' ');
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k === 'value') e.value = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  append(e, children);
  return e;
}

function append(e, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else e.append(c instanceof Node ? c : String(c));
  }
}

/** pad2 and friends format dates and durations the same way everywhere. */
const pad = (n, w = 2) => String(n).padStart(w, '0');

/** toMillis reads an API timestamp: epoch seconds (number) or a date string. */
export function toMillis(t) {
  if (t === undefined || t === null || t === '') return undefined;
  if (typeof t === 'number') return t > 1e11 ? t : Math.round(t * 1000);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** fmtDate shows a timestamp as local "YYYY-MM-DD HH:MM:SS.mmm". */
export function fmtDate(t) {
  const ms = toMillis(t);
  if (ms === undefined) return '—';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** fmtDuration shows milliseconds as "850 ms", "4.33 s", "2 min 5 s". */
export function fmtDuration(ms) {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** pretty re-indents JSON text; text that is not JSON comes back as is. */
export function pretty(text) {
  if (text === undefined || text === null) return '';
  if (typeof text !== 'string') return JSON.stringify(text, null, 2);
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([{}[\],])/g;

/**
 * jsonBlock returns a <pre class="json"> showing text with JSON syntax
 * highlighting (keys, strings, numbers, literals, punctuation). With
 * reindent it pretty-prints valid JSON first.
 */
export function jsonBlock(text, reindent = true, id) {
  const src = reindent ? pretty(text) : (text ?? '');
  const pre = h('pre.json', { id });
  let last = 0;
  for (const m of src.matchAll(TOKEN)) {
    if (m.index > last) pre.append(src.slice(last, m.index));
    if (m[1]) {
      pre.append(h(m[2] ? 'span.j-key' : 'span.j-str', m[1]));
      if (m[2]) pre.append(m[2]);
    } else if (m[3]) pre.append(h('span.j-lit', m[3]));
    else if (m[4]) pre.append(h('span.j-num', m[4]));
    else pre.append(h('span.j-punct', m[5]));
    last = m.index + m[0].length;
  }
  if (last < src.length) pre.append(src.slice(last));
  return pre;
}

/** badge shows an execution or outcome status. */
export function badge(status, id) {
  const s = String(status || 'UNKNOWN');
  return h('span.badge', { id, class: 'b-' + s.toLowerCase().replace(/[^a-z]+/g, '-'), 'data-status': s }, s.replace(/_/g, ' '));
}

/** dl builds a definition list from [term, value] pairs (falsy pairs skipped). */
export function dl(pairs, cls) {
  return h('dl', { class: cls || 'props' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', k), h('dd', v ?? '—')]));
}

/** table wraps a table so it scrolls sideways on a narrow screen. */
export function table(id, headers, rows) {
  return h('div.table-wrap', h('table', { id }, h('thead', h('tr', headers.map((x) => h('th', x)))), h('tbody', rows)));
}

/** checkJSON says where text stops being JSON, or returns "" when it parses. */
export function checkJSON(text) {
  try {
    JSON.parse(text);
    return '';
  } catch (e) {
    let msg = e.message;
    const m = msg.match(/position (\d+)/);
    if (m) {
      const before = text.slice(0, Number(m[1]));
      const line = before.split('\n').length;
      const col = before.length - before.lastIndexOf('\n');
      msg += ` (line ${line}, column ${col})`;
    }
    if (/[“”″‘’]/.test(text)) msg += ' — typographic quotes must be straight quotes (")';
    return msg;
  }
}
