// stepd's Node.js runtime: loads the handler named by _HANDLER from
// LAMBDA_TASK_ROOT (CommonJS or ES module) and serves invocations through
// the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API. Error documents and
// console output are shaped like AWS's Node.js runtimes shape them, with
// paths under the task root shown as /var/task, and an invocation ends as
// AWS's runtime interface client ends it: through the callback, context or
// a returned promise, at the latest when the event loop empties (see
// runHandler), or with an uncaught error that also ends the process.
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
// the Runtime API is strictly request/response, one at a time. The socket
// keeps the process alive only while a request is in flight, so that an
// idle connection doesn't stop the event loop from emptying while a
// handler runs.
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
    if (this.sock) this.sock.unref();
    w.resolve({ status, headers, body });
  }

  async request(method, urlPath, body, headers) {
    if (!this.sock) await this.connect();
    const payload = body == null ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
    let head = `${method} ${urlPath} HTTP/1.1\r\nHost: ${this.hostHeader}\r\nContent-Length: ${payload.length}\r\n`;
    for (const [k, v] of Object.entries(headers || {})) head += `${k}: ${v}\r\n`;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.sock.ref();
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

// The error AWS reports for an unhandled promise rejection: its message is
// the reason as a string ("Error: rejected later" for an Error).
class UnhandledPromiseRejection extends Error {
  constructor(reason) {
    let message;
    try {
      message = reason === undefined ? '' : String(reason);
    } catch (e) {
      message = Object.prototype.toString.call(reason);
    }
    super(message);
    this.name = 'Runtime.UnhandledPromiseRejection';
  }
}

// The error AWS reports when an async handler's promise is still pending
// once nothing is left in the event loop.
class NodeJsExit extends Error {
  constructor() {
    super('The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes');
    this.name = 'Runtime.NodeJsExit';
  }
}

// Invocation is one request from the Runtime API. Its outcome is posted at
// most once, by respond or fail; finished settles when that post has been
// answered, and only then is the next invocation fetched. So no request
// is in flight (and the client's socket is unreferenced) while the handler
// runs, which lets the event loop empty and 'beforeExit' fire.
class Invocation {
  constructor(client, headers) {
    this.client = client;
    this.id = headers['lambda-runtime-aws-request-id'];
    this.headers = headers;
    this.reported = false;
    this.finished = new Promise((resolve) => { this.posted = resolve; });
  }

  respond(result) {
    if (this.reported) return this.finished;
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      return this.fail(new Error('Unable to stringify response body'));
    }
    this.reported = true;
    this.posted(this.client.request('POST', `${API}/invocation/${this.id}/response`, body === undefined ? 'null' : body));
    return this.finished;
  }

  // fail posts err as the invocation's error; label names it in the log.
  // exiting tells stepd that the process exits next, so that it sends no
  // further invocation to it.
  fail(err, label = 'Invoke Error', exiting = false) {
    if (this.reported) return this.finished;
    this.reported = true;
    const doc = errorDoc(err);
    console.error(label, JSON.stringify(doc));
    const headers = { 'Lambda-Runtime-Function-Error-Type': doc.errorType, 'Content-Type': 'application/json' };
    if (exiting) headers['Stepd-Runtime-Exiting'] = 'true';
    this.posted(this.client.request('POST', `${API}/invocation/${this.id}/error`, JSON.stringify(doc), headers));
    return this.finished;
  }
}

// onEmptyEventLoop is what the current invocation does when the event loop
// runs out of work ('beforeExit'): post the callback's result, or the
// default outcome of a handler that never reported one. It runs once.
let onEmptyEventLoop = null;
process.on('beforeExit', () => {
  const f = onEmptyEventLoop;
  onEmptyEventLoop = null;
  if (f) f();
});

// runHandler calls the handler the way AWS's runtime interface client
// does. The first of callback, context.done/succeed/fail and the settling
// of a returned promise (or thenable) decides the outcome; later calls are
// ignored. A successful callback waits for the event loop to empty unless
// context.callbackWaitsForEmptyEventLoop is false; everything else is
// posted at once. If nothing reports an outcome before the event loop
// empties, a non-async handler's result is null and an async one's is
// Runtime.NodeJsExit.
function runHandler(handler, inv, body) {
  const context = makeContext(inv.headers);
  let called = false;
  const once = (f) => (...args) => {
    if (called) return;
    called = true;
    f(...args);
  };
  const done = (err, result) => {
    onEmptyEventLoop = null;
    if (err != null) inv.fail(err);
    else inv.respond(result);
  };
  const callback = once((err, result) => {
    onEmptyEventLoop = null;
    if (err != null) inv.fail(err);
    else if (!context.callbackWaitsForEmptyEventLoop) inv.respond(result);
    else onEmptyEventLoop = () => setImmediate(() => inv.respond(result));
  });
  context.done = once(done);
  context.succeed = once((result) => done(null, result));
  // fail() without an error fails with the string 'handled', as AWS does.
  context.fail = once((err) => done(err == null ? 'handled' : err));

  const isAsync = handler.constructor && handler.constructor.name === 'AsyncFunction';
  onEmptyEventLoop = isAsync ? () => inv.fail(new NodeJsExit()) : () => inv.respond(null);
  try {
    const ret = handler(JSON.parse(body.toString('utf8')), context, callback);
    // Only a promise or thenable gives the result: AWS ignores what a plain
    // (non-async) handler returns, so `(event) => 42` answers null once the
    // event loop empties, not 42.
    if (ret && typeof ret.then === 'function') {
      ret.then(context.succeed, context.fail);
    }
  } catch (err) {
    callback(err);
  }
}

let client;
let handlerLoaded = false;
let current = null; // the invocation being served, or the last one served
let initReported = false;

function postInitError(doc) {
  if (initReported) return Promise.resolve();
  initReported = true;
  return client.request('POST', `${API}/init/error`, JSON.stringify(doc),
    { 'Lambda-Runtime-Function-Error-Type': doc.errorType, 'Content-Type': 'application/json' });
}

// crash handles an uncaught exception or unhandled rejection as AWS does:
// the error becomes the current invocation's result (or the init error,
// before the first invocation), and the process exits with code.
function crash(label, err, code) {
  let posting;
  if (current && !current.reported) {
    posting = current.fail(err, label, true);
  } else {
    console.error(label, JSON.stringify(errorDoc(err)));
    if (current) posting = current.finished; // let a response in flight land
    else if (!handlerLoaded) posting = postInitError(errorDoc(err));
  }
  Promise.resolve(posting).catch(() => {}).finally(() => process.exit(code));
}

process.on('uncaughtException', (err) => crash('Uncaught Exception', err, 129));
process.on('unhandledRejection', (reason) => crash('Unhandled Promise Rejection', new UnhandledPromiseRejection(reason), 128));

async function main() {
  client = new RuntimeClient(process.env.AWS_LAMBDA_RUNTIME_API);
  patchConsole();
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER || '');
  } catch (err) {
    const doc = err instanceof InitError ? initDoc(err) : errorDoc(err);
    console.error(`${doc.errorType}: ${doc.errorMessage}`);
    await postInitError(doc);
    process.exit(1);
  }
  handlerLoaded = true;
  for (;;) {
    const { headers, body } = await client.request('GET', `${API}/invocation/next`);
    const inv = new Invocation(client, headers);
    current = inv;
    currentRequestId = inv.id;
    if (headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
    runHandler(handler, inv, body);
    await inv.finished;
  }
}

main().catch((err) => {
  fs.writeSync(2, `stepd runtime: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
