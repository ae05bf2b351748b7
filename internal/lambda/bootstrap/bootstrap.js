// stepd's Node.js runtime: loads the handler named by _HANDLER from
// LAMBDA_TASK_ROOT (CommonJS or ES module) and serves invocations through
// the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API. Error documents and
// console output are shaped like AWS's Node.js runtimes shape them, with
// paths under the task root shown as /var/task.
'use strict';

const fs = require('fs');
const net = require('net');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');

const TASK_ROOT = process.env.LAMBDA_TASK_ROOT || process.cwd();
const SHOWN_ROOT = '/var/task';
const RUNTIME_DIR = process.env.LAMBDA_RUNTIME_DIR || __dirname;
const SHOWN_RUNTIME = '/var/runtime';
const API = '/2018-06-01/runtime';

// RuntimeClient is a minimal HTTP/1.1 keep-alive client over one socket:
// the Runtime API is strictly request/response, one at a time.
class RuntimeClient {
  constructor(address) {
    const i = address.lastIndexOf(':');
    this.host = address.slice(0, i);
    this.port = Number(address.slice(i + 1));
    this.hostHeader = address;
    this.sock = null;
    this.buf = Buffer.alloc(0);
    this.waiting = null;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const sock = net.connect(this.port, this.host, () => resolve());
      sock.setNoDelay(true);
      sock.on('error', (err) => {
        if (this.waiting) this.waiting.reject(err);
        else reject(err);
      });
      sock.on('close', () => {
        if (this.waiting) this.waiting.reject(new Error('runtime API closed the connection'));
        this.sock = null;
      });
      sock.on('data', (chunk) => {
        this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
        this.parse();
      });
      this.sock = sock;
    });
  }

  parse() {
    if (!this.waiting) return;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end).split('\r\n');
    const status = Number(head[0].split(' ')[1]);
    const headers = {};
    for (let i = 1; i < head.length; i++) {
      const c = head[i].indexOf(':');
      headers[head[i].slice(0, c).trim().toLowerCase()] = head[i].slice(c + 1).trim();
    }
    const len = Number(headers['content-length'] || 0);
    if (this.buf.length < end + 4 + len) return;
    const body = this.buf.subarray(end + 4, end + 4 + len);
    this.buf = this.buf.subarray(end + 4 + len);
    const w = this.waiting;
    this.waiting = null;
    w.resolve({ status, headers, body });
  }

  async request(method, urlPath, body, headers) {
    if (!this.sock) await this.connect();
    const payload = body == null ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
    let head = `${method} ${urlPath} HTTP/1.1\r\nHost: ${this.hostHeader}\r\nContent-Length: ${payload.length}\r\n`;
    for (const [k, v] of Object.entries(headers || {})) head += `${k}: ${v}\r\n`;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.sock.write(payload.length ? Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), payload]) : head + '\r\n');
      this.parse();
    });
  }
}

// shownPath rewrites local paths as AWS shows them: the code under
// /var/task, the runtime under /var/runtime.
function shownPath(text) {
  let s = String(text);
  for (const [local, shown] of [[TASK_ROOT, SHOWN_ROOT], [RUNTIME_DIR, SHOWN_RUNTIME]]) {
    s = s.split(pathToFileURL(local).href + '/').join('file://' + shown + '/').split(local + path.sep).join(shown + '/');
  }
  return s;
}

// errorDoc shapes an error the way AWS's Node.js runtime reports it.
function errorDoc(err) {
  if (err instanceof Error || (err && typeof err === 'object' && 'stack' in err && 'message' in err)) {
    return {
      errorType: err.name || 'Error',
      errorMessage: shownPath(err.message),
      trace: shownPath(err.stack || '').split('\n'),
    };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

// Console output as AWS formats it: timestamp, request id, level, message;
// one log event per call (newlines become \r).
let currentRequestId;
function patchConsole() {
  const write = (level, args) => {
    const msg = util.format(...args).replace(/\n/g, '\r');
    fs.writeSync(1, `${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${msg}\n`);
  };
  console.log = (...a) => write('INFO', a);
  console.info = (...a) => write('INFO', a);
  console.warn = (...a) => write('WARN', a);
  console.error = (...a) => write('ERROR', a);
  console.debug = (...a) => write('DEBUG', a);
  console.trace = (...a) => write('TRACE', a);
}

class InitError extends Error {
  constructor(type, message, cause) {
    super(message);
    this.errorType = type;
    this.origin = cause;
  }
}

function initDoc(err) {
  const doc = errorDoc(err.origin || err);
  doc.errorType = err.errorType;
  doc.errorMessage = err.message;
  doc.trace = [`${err.errorType}: ${err.message}`].concat(doc.trace.slice(1));
  return doc;
}

function findModule(base) {
  for (const ext of ['.js', '.mjs', '.cjs']) {
    if (fs.existsSync(base + ext)) return base + ext;
  }
  return null;
}

function isESM(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return JSON.parse(fs.readFileSync(pkg, 'utf8')).type === 'module';
      } catch (e) {
        return false;
      }
    }
    if (dir === path.dirname(dir) || dir === path.dirname(TASK_ROOT)) return false;
  }
}

async function loadHandler(spec) {
  const slash = spec.lastIndexOf('/');
  const dot = spec.indexOf('.', slash + 1);
  if (dot < 0) throw new InitError('Runtime.MalformedHandlerName', `Bad handler ${spec}`);
  const modName = spec.slice(0, dot);
  const fnPath = spec.slice(dot + 1).split('.');
  const file = findModule(path.resolve(TASK_ROOT, modName));
  if (!file) {
    throw new InitError('Runtime.ImportModuleError', `Error: Cannot find module '${modName}'\nRequire stack:\n- /var/runtime/index.mjs`);
  }
  let mod;
  try {
    mod = isESM(file) ? await import(pathToFileURL(file).href) : require(file);
  } catch (err) {
    if (err && err.code === 'ERR_REQUIRE_ESM') {
      mod = await import(pathToFileURL(file).href);
    } else if (err instanceof SyntaxError) {
      throw new InitError('Runtime.UserCodeSyntaxError', `SyntaxError: ${err.message}`, err);
    } else if (err && err.code === 'MODULE_NOT_FOUND') {
      throw new InitError('Runtime.ImportModuleError', `Error: ${shownPath(err.message)}`, err);
    } else {
      throw err;
    }
  }
  let fn = mod;
  for (const p of fnPath) fn = fn == null ? undefined : fn[p];
  if (fn === undefined && mod && mod.default) {
    fn = mod.default;
    for (const p of fnPath) fn = fn == null ? undefined : fn[p];
  }
  if (typeof fn !== 'function') {
    throw new InitError('Runtime.HandlerNotFound', `${spec} is undefined or not exported`);
  }
  return fn;
}

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const ctx = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  if (headers['lambda-runtime-client-context']) {
    ctx.clientContext = JSON.parse(headers['lambda-runtime-client-context']);
  }
  return ctx;
}

// runHandler calls the handler and settles with its result, whichever
// style it uses: a returned promise or value, or the callback.
function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err, result) => {
      if (settled) return;
      settled = true;
      if (err != null) reject(err);
      else resolve(result);
    };
    context.done = done;
    context.succeed = (r) => done(null, r);
    context.fail = (e) => done(e == null ? new Error('handled') : e);
    let ret;
    try {
      ret = handler(event, context, done);
    } catch (err) {
      done(err);
      return;
    }
    if (ret && typeof ret.then === 'function') {
      ret.then((r) => done(null, r), (e) => done(e == null ? new Error('undefined') : e));
    } else if (handler.length < 3) {
      done(null, ret);
    }
  });
}

async function main() {
  const client = new RuntimeClient(process.env.AWS_LAMBDA_RUNTIME_API);
  patchConsole();
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER || '');
  } catch (err) {
    const doc = err instanceof InitError ? initDoc(err) : errorDoc(err);
    console.error(`${doc.errorType}: ${doc.errorMessage}`);
    await client.request('POST', `${API}/init/error`, JSON.stringify(doc),
      { 'Lambda-Runtime-Function-Error-Type': doc.errorType, 'Content-Type': 'application/json' });
    process.exit(1);
  }
  for (;;) {
    const { headers, body } = await client.request('GET', `${API}/invocation/next`);
    const id = headers['lambda-runtime-aws-request-id'];
    currentRequestId = id;
    if (headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
    let out;
    try {
      const event = JSON.parse(body.toString('utf8'));
      const result = await runHandler(handler, event, makeContext(headers));
      out = result === undefined ? 'null' : JSON.stringify(result);
      if (out === undefined) out = 'null';
    } catch (err) {
      const doc = errorDoc(err);
      console.error('Invoke Error', JSON.stringify(doc));
      await client.request('POST', `${API}/invocation/${id}/error`, JSON.stringify(doc),
        { 'Lambda-Runtime-Function-Error-Type': doc.errorType, 'Content-Type': 'application/json' });
      continue;
    }
    await client.request('POST', `${API}/invocation/${id}/response`, out);
  }
}

main().catch((err) => {
  fs.writeSync(2, `stepd runtime: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
