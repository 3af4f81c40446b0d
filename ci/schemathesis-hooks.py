"""Schemathesis hooks that authenticate every generated request against a Numberline server.

Every third schema-valid case of the token call itself is sent with the real username and
password, so that its 200 response is checked against the document too.

Written for the schemathesis 4.x hook API (`@schemathesis.auth()` providers with `get` and `set`),
checked against schemathesis 4.32.5. Load it with `SCHEMATHESIS_HOOKS=ci/schemathesis-hooks.py`.

Environment:
    NUMBERLINE_URL       base URL of the server under test, for example http://127.0.0.1:8080
    NUMBERLINE_API_KEY   API key for the instance, sent as `x-api-key`
    NUMBERLINE_USERNAME  login used for the token call
    NUMBERLINE_PASSWORD  password of that login
    NUMBERLINE_INSTANCE  instance name; optional, the server default applies when empty
"""

import json
import os
import threading
import urllib.error
import urllib.parse
import urllib.request

import schemathesis

# Seconds to wait for the token call, which verifies a password hash and can be slower than other calls.
TOKEN_CALL_TIMEOUT = 30


def required_environment(name):
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"Environment variable {name} is missing or empty. Set it before running schemathesis.")
    return value


def request_access_token():
    """Call POST /v1/oauth2/authorize once and return the `access_token` from the response."""
    base_url = required_environment("NUMBERLINE_URL").rstrip("/")
    api_key = required_environment("NUMBERLINE_API_KEY")
    form = {
        "username": required_environment("NUMBERLINE_USERNAME"),
        "password": required_environment("NUMBERLINE_PASSWORD"),
    }
    instance = os.environ.get("NUMBERLINE_INSTANCE", "")
    if instance:
        form["instance"] = instance

    request = urllib.request.Request(
        base_url + "/v1/oauth2/authorize",
        data=urllib.parse.urlencode(form).encode("ascii"),
        headers={"x-api-key": api_key, "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )

    # An empty ProxyHandler keeps the call on the given URL even when proxy variables are set.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=TOKEN_CALL_TIMEOUT) as response:
            body = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")[:500]
        raise RuntimeError(f"Token call to {request.full_url} failed with HTTP {error.code}: {detail}") from error
    except (urllib.error.URLError, TimeoutError) as error:
        raise RuntimeError(f"Token call to {request.full_url} failed: {error}. Check that the server is running.") from error

    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise RuntimeError(f"Token call to {request.full_url} returned no access_token: {body!r}")
    return token


TOKEN_CALL_PATH = "/v1/oauth2/authorize"
# Every this-many positive token-call cases carry the real username and password, so that the
# token call returns 200 under the checks and not only 400 and 401.
REAL_CREDENTIALS_EVERY = 3


class _TokenCallCounter:
    def __init__(self):
        self._lock = threading.Lock()
        self._count = 0

    def next_is_due(self):
        with self._lock:
            self._count += 1
            return self._count % REAL_CREDENTIALS_EVERY == 1


_token_call_counter = _TokenCallCounter()


def _is_positive(case):
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    mode = getattr(generation, "mode", None)
    # Explicit examples carry no metadata; they are meant to be valid.
    return mode is None or str(mode) == "positive"


@schemathesis.hook
def before_call(context, case, kwargs):
    """Put the real credentials into some valid token-call cases.

    Only schema-valid cases are changed, and they stay valid: the real username and password fit
    the documented form, and the instance becomes the configured one or is left out. Changing a
    schema-violating case could turn it valid and make the server's 200 look like a failure.
    """
    if case.operation.method.upper() != "POST" or case.operation.path != TOKEN_CALL_PATH:
        return
    if not isinstance(case.body, dict) or not _is_positive(case) or not _token_call_counter.next_is_due():
        return
    case.body["username"] = required_environment("NUMBERLINE_USERNAME")
    case.body["password"] = required_environment("NUMBERLINE_PASSWORD")
    instance = os.environ.get("NUMBERLINE_INSTANCE", "")
    if instance:
        case.body["instance"] = instance
    else:
        case.body.pop("instance", None)
    if case.query:
        case.query.pop("instance", None)


# refresh_interval=None turns off schemathesis' own cache and its re-login after a 401, so that the
# 401 responses the checks provoke on purpose never trigger another token call. The provider
# caches the token itself, and the lock makes concurrent workers share one call.
@schemathesis.auth(refresh_interval=None)
class NumberlineAuth:
    def __init__(self):
        self._lock = threading.Lock()
        self._credentials = None

    def get(self, case, context):
        with self._lock:
            if self._credentials is None:
                self._credentials = {
                    "x-api-key": required_environment("NUMBERLINE_API_KEY"),
                    "x-access-token": request_access_token(),
                }
            return self._credentials

    def set(self, case, data, context):
        # Security parameters are not generated (see ci/schemathesis.sh), so a header the case
        # already carries was set on purpose and stays.
        for name, value in data.items():
            if name not in case.headers:
                case.headers[name] = value
