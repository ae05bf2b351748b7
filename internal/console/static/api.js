// The console's API client: the same public APIs the AWS CLI calls, on the
// page's own origin. Step Functions and CloudWatch Logs are AWS JSON
// ("POST /" with X-Amz-Target), Lambda is REST under /2015-03-31/.

/** ApiError is a failed API call: code is the AWS error name. */
export class ApiError extends Error {
  constructor(code, message, status) {
    super(message ? `${code}: ${message}` : code);
    this.code = code;
    this.status = status;
  }
}

async function readBody(resp) {
  const text = await resp.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

async function jsonTarget(target, contentType, body) {
  let resp;
  try {
    resp = await fetch('/', {
      method: 'POST',
      headers: { 'Content-Type': contentType, 'X-Amz-Target': target },
      body: JSON.stringify(body || {}),
    });
  } catch (e) {
    throw new ApiError('NetworkError', `cannot reach stepd (${e.message})`, 0);
  }
  const data = await readBody(resp);
  if (!resp.ok) {
    const code = (data.__type || resp.headers.get('X-Amzn-Errortype') || `HTTP ${resp.status}`).replace(/^.*#/, '');
    throw new ApiError(code, data.message || data.Message || '', resp.status);
  }
  return data;
}

/** sfn calls a Step Functions operation (AWS JSON 1.0). */
export function sfn(op, body) {
  return jsonTarget('AWSStepFunctions.' + op, 'application/x-amz-json-1.0', body);
}

/** logs calls a CloudWatch Logs operation (AWS JSON 1.1). */
export function logs(op, body) {
  return jsonTarget('Logs_20140328.' + op, 'application/x-amz-json-1.1', body);
}

/**
 * lambda calls the Lambda REST API: method, path (under the origin) and an
 * optional body (a string is sent as is, anything else as JSON). It
 * returns {status, headers, text, json}.
 */
export async function lambda(method, path, body, headers) {
  let resp;
  try {
    resp = await fetch(path, {
      method,
      headers: { 'Content-Type': 'application/json', ...(headers || {}) },
      body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
    });
  } catch (e) {
    throw new ApiError('NetworkError', `cannot reach stepd (${e.message})`, 0);
  }
  const text = await resp.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  if (!resp.ok) {
    const code = resp.headers.get('X-Amzn-Errortype') || (json && (json.Type || json.__type)) || `HTTP ${resp.status}`;
    throw new ApiError(code.replace(/:.*$/, ''), (json && (json.Message || json.message)) || text, resp.status);
  }
  return { status: resp.status, headers: resp.headers, text, json };
}

/** all follows nextToken through every page of a Step Functions list. */
export async function all(op, body, key, max = 10000) {
  const out = [];
  let token;
  do {
    const page = await sfn(op, { ...body, nextToken: token });
    out.push(...(page[key] || []));
    token = page.nextToken;
  } while (token && out.length < max);
  return out;
}

/** history returns every event of an execution, oldest first. */
export function history(executionArn) {
  return all('GetExecutionHistory', { executionArn, maxResults: 1000 }, 'events', 1e6);
}
