# stepd's Python runtime: loads the handler named by _HANDLER from
# LAMBDA_TASK_ROOT and serves invocations through the Lambda Runtime API at
# AWS_LAMBDA_RUNTIME_API. Error documents are shaped like AWS's Python
# runtimes shape them, with paths under the task root shown as /var/task.
import decimal
import importlib
import json
import logging
import os
import signal
import socket
import sys
import time
import traceback

TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
SHOWN_ROOT = "/var/task"
API = "/2018-06-01/runtime"


class RuntimeClient:
    """A minimal HTTP/1.1 keep-alive client for the Runtime API (the
    standard library's http.client costs more to import than a cold start
    should)."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host, self.port = host, int(port)
        self.hostheader = address
        self.sock = None
        self.rfile = None

    def _connect(self):
        self.sock = socket.create_connection((self.host, self.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb")

    def request(self, method, path, body=b"", headers=None):
        if self.sock is None:
            self._connect()
        head = "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (
            method, path, self.hostheader, len(body))
        if headers:
            for k, v in headers.items():
                head += "%s: %s\r\n" % (k, v)
        self.sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        return self._read_response()

    def _read_response(self):
        line = self.rfile.readline()
        if not line:
            raise ConnectionError("runtime API closed the connection")
        status = int(line.split(None, 2)[1])
        hdrs = {}
        while True:
            line = self.rfile.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            hdrs[k.strip().lower()] = v.strip()
        if hdrs.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            body = b"".join(parts)
        else:
            body = self.rfile.read(int(hdrs.get("content-length", "0")))
        return status, hdrs, body


class LambdaContext:
    """The context object handed to handlers, as AWS's runtime builds it."""

    def __init__(self, request_id, deadline_ms, arn, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = CognitoIdentity()
        self.client_context = client_context
        self._deadline_ms = deadline_ms

    def log(self, msg):
        sys.stdout.write(str(msg))
        sys.stdout.flush()

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def __repr__(self):
        return "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s,client_context=%s,identity=%s])" % (
            self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name,
            self.memory_limit_in_mb, self.function_version, self.invoked_function_arn,
            self.client_context, self.identity)


class CognitoIdentity:
    """context.identity: AWS's runtime sets one even without an identity."""

    def __init__(self):
        self.cognito_identity_id = None
        self.cognito_identity_pool_id = None

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id=None,cognito_identity_pool_id=None])"


def encode_default(o):
    # AWS's runtime writes a Decimal (what boto3's DynamoDB reads return)
    # as a JSON number.
    if isinstance(o, decimal.Decimal):
        return float(o)
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)


# Python 3.12 and later runtimes on AWS write non-ASCII characters as they
# are; earlier ones escape them.
ENCODER = json.JSONEncoder(default=encode_default, ensure_ascii=os.environ.get("AWS_EXECUTION_ENV", "") in (
    "AWS_Lambda_python3.8", "AWS_Lambda_python3.9", "AWS_Lambda_python3.10", "AWS_Lambda_python3.11"))


class ClientContext:
    def __init__(self, doc):
        self.client = doc.get("client")
        self.custom = doc.get("custom")
        self.env = doc.get("env")


class InitError(Exception):
    def __init__(self, error_type, message, stack=None):
        Exception.__init__(self, message)
        self.error_type = error_type
        self.message = message
        self.stack = stack or []


RUNTIME_DIR = os.environ.get("LAMBDA_RUNTIME_DIR") or os.path.dirname(os.path.abspath(__file__))


def shown_path(path):
    """Local paths as AWS shows them: code under /var/task, the runtime
    under /var/runtime."""
    for local, shown in ((TASK_ROOT, SHOWN_ROOT), (RUNTIME_DIR, "/var/runtime")):
        if path == local or path.startswith(local + os.sep):
            return shown + path[len(local):]
    return path


def stack_of(tb):
    """The traceback as AWS lists it: this bootstrap's own frames dropped,
    task paths shown under /var/task."""
    frames = traceback.extract_tb(tb)
    me = os.path.abspath(__file__)
    frames = [f for f in frames if os.path.abspath(f.filename) != me]
    for f in frames:
        f.line  # load the source line before the path changes
        f.filename = shown_path(f.filename)
    return traceback.format_list(frames)


def error_doc(exc, request_id):
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": stack_of(exc.__traceback__),
    }


def log_error(doc):
    # One log event: lines joined with \r, as AWS's Python runtime does.
    text = "[ERROR] %s: %s" % (doc["errorType"], doc["errorMessage"])
    if doc.get("stackTrace"):
        text += "\rTraceback (most recent call last):\r" + "".join(doc["stackTrace"]).replace("\n", "\r").rstrip("\r")
    sys.stdout.write(text + "\n")


def out_of_memory():
    # Act like the kernel's OOM killer, so the platform reports
    # Runtime.OutOfMemory whichever way the limit was enforced.
    os.kill(os.getpid(), signal.SIGKILL)


def load_handler(spec):
    try:
        modname, fname = spec.rsplit(".", 1)
    except ValueError as e:
        raise InitError("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (spec, e))
    modname = modname.replace("/", ".")
    try:
        module = importlib.import_module(modname)
    except MemoryError:
        out_of_memory()
    except ImportError as e:
        raise InitError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        stack = []
        if e.filename:
            stack = ['  File "%s" Line %s\n        %s\n' % (shown_path(e.filename), e.lineno, (e.text or "").strip())]
        raise InitError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), stack)
    except Exception as e:
        raise InitError(type(e).__name__, str(e), stack_of(e.__traceback__))
    handler = getattr(module, fname, None)
    if handler is None:
        raise InitError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))
    return handler


class RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


def setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    fmt = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                            "%Y-%m-%dT%H:%M:%S")
    fmt.converter = time.gmtime
    handler.setFormatter(fmt)
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        root.setLevel(level.upper())


def main():
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    if TASK_ROOT not in sys.path:
        sys.path.insert(0, TASK_ROOT)
    setup_logging()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except InitError as e:
        doc = {"errorMessage": e.message, "errorType": e.error_type, "requestId": "", "stackTrace": e.stack}
        log_error(doc)
        client.request("POST", API + "/init/error", json.dumps(doc).encode(),
                       {"Lambda-Runtime-Function-Error-Type": e.error_type, "Content-Type": "application/json"})
        sys.exit(1)

    while True:
        _, hdrs, body = client.request("GET", API + "/invocation/next")
        request_id = hdrs.get("lambda-runtime-aws-request-id", "")
        RequestIdFilter.request_id = request_id
        if "lambda-runtime-trace-id" in hdrs:
            os.environ["_X_AMZN_TRACE_ID"] = hdrs["lambda-runtime-trace-id"]
        client_context = None
        if hdrs.get("lambda-runtime-client-context"):
            client_context = ClientContext(json.loads(hdrs["lambda-runtime-client-context"]))
        context = LambdaContext(request_id, int(hdrs.get("lambda-runtime-deadline-ms", "0")),
                                hdrs.get("lambda-runtime-invoked-function-arn"), client_context)
        try:
            try:
                event = json.loads(body)
            except ValueError as e:
                raise InitError("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
            result = handler(event, context)
            if isinstance(result, (bytes, bytearray)):
                # Bytes go back as they are (observed: a handler returning
                # b'"HelloWorld!"' gives the payload "HelloWorld!").
                out = bytes(result)
            else:
                try:
                    out = ENCODER.encode(result).encode()
                except Exception as e:
                    raise InitError("Runtime.MarshalError", "Unable to marshal response: %s" % e)
        except MemoryError:
            out_of_memory()
        except InitError as e:
            doc = {"errorMessage": e.message, "errorType": e.error_type, "requestId": request_id, "stackTrace": []}
            log_error(doc)
            client.request("POST", API + "/invocation/" + request_id + "/error", json.dumps(doc).encode(),
                           {"Lambda-Runtime-Function-Error-Type": e.error_type, "Content-Type": "application/json"})
            continue
        except Exception as e:
            doc = error_doc(e, request_id)
            log_error(doc)
            client.request("POST", API + "/invocation/" + request_id + "/error", json.dumps(doc).encode(),
                           {"Lambda-Runtime-Function-Error-Type": doc["errorType"], "Content-Type": "application/json"})
            continue
        client.request("POST", API + "/invocation/" + request_id + "/response", out)


if __name__ == "__main__":
    main()
