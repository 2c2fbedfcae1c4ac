"""How a scan talks to AWS: shared clients, per-thread credentials, counted retries, strict parsing.

Why this module exists:

* **One client per service and region for the whole scan.** Building a
  botocore client costs tens of milliseconds of CPU and a few hundred KB
  (more for EC2); building ~20 per account made client creation the main CPU
  cost of a large scan and kept memory growing with every account. Clients
  here are shared by every account: each task binds its account's
  credentials to its thread (:func:`bound`), and the clients sign with
  whatever is bound (:class:`BoundCredentials`). A call made with nothing
  bound fails with ``NoCredentialsError`` rather than borrowing another
  account's credentials.
* **Attempts are attempts.** ``--max-attempts N`` means N requests in total
  (botocore's ``max_attempts`` counts retries). Network failures (connection
  refused or closed, connect/read timeouts) get at most
  :data:`NETWORK_ATTEMPTS`; an endpoint that still does not answer is marked
  unreachable and every later call to it fails at once (:class:`EndpointDown`),
  so a dead region costs one short timeout, not a retry storm.
* **What cannot be read is an error.** botocore reads a 200 whose body is not
  JSON as an empty answer ("not configured"), passes values of the wrong type
  through, and iterates a string where a list was promised. The strict parser
  (:class:`StrictParserFactory`) turns each of those into
  :class:`MalformedResponse`, an error for that one call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

NETWORK_ATTEMPTS = 2  # a transient network failure gets one retry; a dead endpoint is not worth more


class MalformedResponse(Exception):
    """A response that does not match the operation's model (body not JSON, value of the wrong type, ...)."""


class EndpointDown(Exception):
    """An endpoint that already failed at the network level in this scan: the call is not sent."""


def network_error(e: BaseException) -> bool:
    """Connection refused/reset/closed, DNS failure, connect or read timeout: the endpoint did not answer."""
    from botocore.exceptions import ConnectionError, HTTPClientError

    return isinstance(e, (ConnectionError, HTTPClientError, EndpointDown))


# ---------------------------------------------------------------------------- credentials bound to a thread
_bound = threading.local()


@contextmanager
def bound(credentials: Any) -> Iterator[None]:
    """Sign every call made on this thread with ``credentials`` (a botocore Credentials object)."""
    previous = getattr(_bound, "credentials", None)
    _bound.credentials = credentials
    try:
        yield
    finally:
        _bound.credentials = previous


def _current() -> Any:
    creds = getattr(_bound, "credentials", None)
    if creds is None:
        from botocore.exceptions import NoCredentialsError

        raise NoCredentialsError()
    return creds


class BoundCredentials:
    """Credentials as botocore's signer reads them, resolved per call from the calling thread."""

    method = "aiposture-bound"

    def get_frozen_credentials(self) -> Any:
        return _current().get_frozen_credentials()

    @property
    def access_key(self) -> str:
        return _current().access_key

    @property
    def secret_key(self) -> str:
        return _current().secret_key

    @property
    def token(self) -> str | None:
        return _current().token

    @property
    def account_id(self) -> str | None:
        creds = getattr(_bound, "credentials", None)
        return getattr(creds, "account_id", None)

    def get_deferred_property(self, name: str) -> Callable[[], Any]:
        """Endpoint rules read some properties (the account id) only when they need them."""
        return lambda: getattr(self, name, None)


def _bound_provider():
    from botocore.credentials import CredentialProvider

    class BoundProvider(CredentialProvider):
        METHOD = "aiposture-bound"
        CANONICAL_NAME = "custom-aiposture-bound"

        def load(self):
            return BoundCredentials()

    return BoundProvider()


# ---------------------------------------------------------------------------- strict response parsing
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,), "map": (dict,), "list": (list,), "string": (str,), "boolean": (bool,),
    "integer": (int,), "long": (int,), "float": (int, float), "double": (int, float), "blob": (str,),
    "timestamp": (str, int, float),
}
_NUMBERS = ("integer", "long", "float", "double")


def _has_body_members(shape: Any) -> bool:
    members = getattr(shape, "members", None) or {}
    return any(m.serialization.get("location") is None for m in members.values())


class _Strict:
    """Mixed into botocore's protocol parsers: success responses that do not fit the model raise."""

    _strict = False

    def parse(self, response, shape):
        if response["status_code"] >= 301:
            return super().parse(response, shape)  # type: ignore[misc]
        self._strict = True
        if not response.get("body") and _has_body_members(shape):
            # AWS always sends a document ("{}" at least) when the output has body members
            raise MalformedResponse("an empty body where the operation returns a document")
        try:
            parsed = super().parse(response, shape)  # type: ignore[misc]
        except MalformedResponse:
            raise
        except Exception as e:  # anything botocore's parser trips over is the response's fault
            raise MalformedResponse(f"unreadable response ({type(e).__name__}: {e})") from None
        if not isinstance(parsed, dict):  # a JSON null or scalar where an object was promised
            raise MalformedResponse(f"the body is {type(parsed).__name__}, not an object")
        if not self._json:
            self._check_xml_root(response.get("body") or b"")
        return parsed

    def _check_xml_root(self, body: bytes) -> None:
        """Well-formed XML that is not the operation's answer (an HTML error page from a proxy) reads as empty."""
        import re

        m = re.match(rb"\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<([A-Za-z_][\w:.-]*)", body, re.DOTALL)
        tag = m.group(1).decode().rsplit(":", 1)[-1] if m else ""
        query = getattr(self, "_protocol", "") in ("query", "ec2")
        if not tag or tag.lower() == "html" or (query and not tag.endswith("Response")):
            raise MalformedResponse(f"the body is <{tag or '?'}>, not this operation's answer")

    # JSON protocols (json, rest-json)
    def _parse_body_as_json(self, body_contents):
        if not self._strict:
            return super()._parse_body_as_json(body_contents)  # type: ignore[misc]
        import json

        if not body_contents:
            return {}
        try:
            return json.loads(body_contents)
        except ValueError:
            raise MalformedResponse(f"the body is not valid JSON ({len(body_contents)} bytes)") from None

    _json = False  # set on the JSON protocol classes

    def _parse_shape(self, shape, node):
        if self._json and self._strict and node is not None:
            want = _JSON_TYPES.get(shape.type_name)
            # cheapest test first: this runs for every value of every response
            if want is not None and (not isinstance(node, want) or ((node is True or node is False) and shape.type_name in _NUMBERS)) \
                    and shape.serialization.get("location") is None and not getattr(shape, "is_document_type", False):
                raise MalformedResponse(f"{shape.name}: expected {shape.type_name}, got {type(node).__name__}")
        return super()._parse_shape(shape, node)  # type: ignore[misc]

    # XML protocols (query, ec2, rest-xml): botocore reads any text but "true" as False
    def _handle_boolean(self, shape, value):
        if self._strict and not self._json:
            text = getattr(value, "text", value)  # an XML element, or header text
            if text not in ("true", "false"):
                raise MalformedResponse(f"{shape.name}: expected true or false, got {str(text)[:20]!r}")
        parent = getattr(super(), "_handle_boolean", None)
        return parent(shape, value) if parent is not None else value


class StrictParserFactory:
    """A ``response_parser_factory`` component: botocore's parsers with :class:`_Strict` mixed in."""

    def __init__(self) -> None:
        self._classes: dict[str, type] = {}
        self._lock = threading.Lock()

    def create_parser(self, protocol_name: str):
        with self._lock:
            cls = self._classes.get(protocol_name)
            if cls is None:
                from botocore.parsers import PROTOCOL_PARSERS, BaseJSONParser

                base = PROTOCOL_PARSERS[protocol_name]
                cls = type(f"Strict{base.__name__}", (_Strict, base),
                           {"_json": issubclass(base, BaseJSONParser), "_protocol": protocol_name})
                self._classes[protocol_name] = cls
        return cls()


# ---------------------------------------------------------------------------- retries
class RetryPolicy:
    """botocore's standard retry conditions and backoff, with attempts counted as attempts.

    A network failure is retried at most once (:data:`NETWORK_ATTEMPTS`); a
    response that could not be parsed, or an endpoint already known to be down,
    is never retried.
    """

    def __init__(self, max_attempts: int):
        from botocore.retries import standard

        adapter = standard.RetryEventAdapter()
        self._adapter = adapter
        self._conditions = standard.StandardRetryConditions(max_attempts=max_attempts)
        self._backoff = standard.ExponentialBackoff(throttling_detector=standard.ThrottlingErrorDetector(adapter))

    def needs_retry(self, **kwargs: Any) -> float | None:
        ctx = self._adapter.create_retry_context(**kwargs)
        exc = ctx.caught_exception
        if isinstance(exc, (EndpointDown, MalformedResponse)):
            return None
        if exc is not None and network_error(exc) and ctx.attempt_number >= NETWORK_ATTEMPTS:
            return None
        if self._conditions.is_retryable(ctx):
            return float(self._backoff.delay_amount(ctx))
        return None


def not_aws_error_is_final(response=None, **_: Any) -> None:
    """Do not retry a 500 that is not an AWS error document.

    AWS answers failures with a structured error (JSON/XML with an error code). A 500 carrying an
    HTML page or a "not implemented" text comes from something else in the path (an API emulator
    such as moto or LocalStack for an operation it lacks, a misconfigured proxy behind
    AWS_ENDPOINT_URL): retrying it only multiplies the wait. Marked 501 so the retry conditions
    give up at once; the scan records the error and carries on.
    """
    if not response:
        return
    http, parsed = response
    if getattr(http, "status_code", None) != 500:
        return
    body = (getattr(http, "content", b"") or b"")[:4000]
    head = body.lstrip()[:15].lower()
    if b"not been implemented" in body or b"not yet implemented" in body:
        code, msg = "NotImplemented", "the endpoint does not implement this operation"
    elif head.startswith((b"<!doctype html", b"<html")):
        code, msg = "EndpointError", "HTTP 500 with an HTML page instead of an AWS error (a proxy or emulator behind AWS_ENDPOINT_URL?)"
    else:
        return
    http.status_code = 501  # what the retry conditions read
    parsed.setdefault("ResponseMetadata", {})["HTTPStatusCode"] = 501
    parsed["Error"] = {"Code": code, "Message": msg}


# ---------------------------------------------------------------------------- the client pool
class Endpoint:
    """One shared client and what the scan learned about its endpoint."""

    def __init__(self, client: Any):
        self.client = client
        self.down: str | None = None  # why the endpoint is considered unreachable

    def check(self, **_: Any) -> None:
        """``before-send``: do not send to an endpoint that already failed at the network level."""
        if self.down is not None:
            raise EndpointDown(self.down)

    def observe(self, exception: BaseException | None = None, **_: Any) -> None:
        """``after-call-error``: a network failure that survived the retries marks the endpoint down."""
        if exception is not None and network_error(exception) and not isinstance(exception, EndpointDown):
            self.down = f"{self.client.meta.endpoint_url} did not answer ({type(exception).__name__}: {exception})"


class ClientPool:
    """Clients shared by every account of a scan, created on first use (one per service and region)."""

    def __init__(self, session: Any, *, max_attempts: int, connect_timeout: float, read_timeout: float, pool_size: int,
                 on_call: Callable[..., None] | None = None):
        self._session = session
        self._max_attempts = max_attempts
        self._connect_timeout, self._read_timeout, self._pool_size = connect_timeout, read_timeout, pool_size
        self._on_call = on_call
        self._endpoints: dict[tuple[str, str | None], Endpoint] = {}
        self._lock = threading.Lock()
        session.register_component("response_parser_factory", StrictParserFactory())
        from botocore.credentials import CredentialResolver

        session.register_component("credential_provider", CredentialResolver([_bound_provider()]))

    def endpoint(self, service: str, region: str | None) -> Endpoint:
        key = (service, region)
        ep = self._endpoints.get(key)
        if ep is not None:
            return ep
        with self._lock:  # creating clients from one botocore session is not thread-safe
            ep = self._endpoints.get(key)
            if ep is None:
                c = self._create(service, region)
                ep = Endpoint(c)
                ev = c.meta.service_model.service_id.hyphenize()
                c.meta.events.register(f"before-send.{ev}", ep.check)
                c.meta.events.register(f"after-call-error.{ev}", ep.observe)
                self._endpoints[key] = ep
        return ep

    def client(self, service: str, region: str | None) -> Any:
        return self.endpoint(service, region).client

    def _create(self, service: str, region: str | None) -> Any:
        from botocore.config import Config

        config = Config(retries={"mode": "standard", "total_max_attempts": 1}, user_agent_extra="aiposture",
                        connect_timeout=self._connect_timeout, read_timeout=self._read_timeout,
                        max_pool_connections=self._pool_size)
        c = self._session.create_client(service, region_name=region or "us-east-1", config=config)
        ev = c.meta.service_model.service_id.hyphenize()
        policy = RetryPolicy(self._max_attempts)
        c.meta.events.register_first(f"needs-retry.{ev}", not_aws_error_is_final)
        c.meta.events.register(f"needs-retry.{ev}", policy.needs_retry)
        if self._on_call is not None:
            c.meta.events.register(f"before-call.{ev}", self._on_call)
        return c

    def __len__(self) -> int:
        return len(self._endpoints)
