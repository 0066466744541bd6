"""Who is asking, and what they may write (docs/security.md).

Every request has an identity, from its `Authorization: Bearer <token>` header:

- no header: the public reader (public data only); but while no identity is configured at
  all (no REGISTRY_IMPORT_TOKEN, no OIDC issuer, no active registry-issued token), a request
  from this machine (loopback, not forwarded by a proxy) is the local administrator
  `local`, so that `registry serve` works out of the box on a laptop and nowhere else;
- a registry-issued token (`reg_...`, `registry token create`, registry/tokens.py): its
  name, role and grants;
- a JWT from the configured OIDC issuer (REGISTRY_OIDC_*): verified against the issuer's
  JWKS (signature, `iss`, `aud`, `exp`); its role and grants from claims;
- REGISTRY_IMPORT_TOKEN, the older shared secret: an administrator.

Anything else in the header (an unknown, revoked, expired or badly signed token, another
scheme, non-ASCII bytes) is `Unauthenticated` (401): a client that sends credentials is told
they are wrong rather than served as the public.

Roles: reader (public data), recorder (writes for the bodies and organisations in its grants;
an organisation grant covers the bodies the organisation owns), auditor (reads, also personal
contact details and the actors in the audit trail; never writes), admin (everything).
"""

from __future__ import annotations

import enum
import getpass
import hmac
import ipaddress
import json
import logging
import os
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import jwt
from starlette.requests import HTTPConnection, Request

from registry.application import Registry
from registry.config import ConfigError, OidcSettings, oidc_from_environment
from registry.domain.body import Body
from registry.domain.organisation import Organisation
from registry.errors import NotFound, RegistryError
from registry.tokens import PREFIX, TokenStore, resolve_grant
from registry.values import Actor, Context, Source

log = logging.getLogger(__name__)

IMPORT_TOKEN_SETTING = "REGISTRY_IMPORT_TOKEN"


class Role(enum.StrEnum):
    """What an identity may do: read public data, record for its grants, audit, or all."""

    READER = "reader"
    RECORDER = "recorder"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Unauthenticated(Exception):
    """Credentials were sent but are not valid (HTTP 401, GraphQL code UNAUTHENTICATED)."""

    code = "UNAUTHENTICATED"


class Forbidden(Exception):
    """The identity may not do this; the message says which grant or role is missing (HTTP
    403, GraphQL code FORBIDDEN)."""

    code = "FORBIDDEN"


@dataclass(frozen=True)
class Identity:
    """Who makes a request: `subject` is stable (a token's `token:<id>`, a JWT's `sub`,
    `local`), `name` is for people (a token's name, a JWT's name claim)."""

    subject: str
    name: str
    token_id: str | None
    role: Role
    grants: frozenset[UUID]

    def context(self, source: Source, note: str | None = None) -> Context:
        """The provenance of a write made by this identity: the actor is this identity."""
        return Context(
            actor=self.name,
            source=source,
            note=note,
            subject=self.subject,
            token_id=self.token_id,
        )

    @property
    def actor(self) -> Actor:
        """This identity as the actor of the events it writes."""
        return Actor(self.name, self.subject, self.token_id)

    @property
    def sees_personal_data(self) -> bool:
        """Auditors and administrators read contact details and who wrote each event."""
        return self.role in (Role.AUDITOR, Role.ADMIN)

    @property
    def may_write(self) -> bool:
        return self.role in (Role.RECORDER, Role.ADMIN)


PUBLIC = Identity("anonymous", "public reader", None, Role.READER, frozenset())
LOCAL = Identity(
    "local",
    "local administrator (loopback, no identity configured)",
    None,
    Role.ADMIN,
    frozenset(),
)
SHARED_TOKEN = Identity(
    "import-token",
    "shared import token (REGISTRY_IMPORT_TOKEN)",
    "REGISTRY_IMPORT_TOKEN",
    Role.ADMIN,
    frozenset(),
)


def command_line() -> Identity:
    """Whoever runs the command line against the store: an administrator, since access to
    the store is access to everything; named by the operating system's user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        user = "unknown"
    return Identity(f"local:{user}", f"{user} (command line)", None, Role.ADMIN, frozenset())


# -- the token store of each registry ----------------------------------------------------

_stores: weakref.WeakKeyDictionary[Registry, TokenStore] = weakref.WeakKeyDictionary()
_stores_lock = threading.Lock()


def token_store(registry: Registry) -> TokenStore:
    """The api_tokens table of this registry's store (created on first use)."""
    with _stores_lock:
        store = _stores.get(registry)
        if store is None:
            store = _stores[registry] = TokenStore(registry)
        return store


# -- who is configured --------------------------------------------------------------------


class _BrokenOidc(Unauthenticated):
    """OIDC settings that were good at start and are not now (the JWKS file went away)."""


def _oidc() -> OidcSettings | None:
    """The OIDC settings; raises _BrokenOidc (logged) when they are set but cannot work."""
    try:
        return oidc_from_environment()
    except ConfigError as error:
        log.error("identity: %s", error)
        raise _BrokenOidc("the server cannot verify JWTs: its OIDC settings are broken") from None


def _oidc_configured() -> bool:
    try:
        return _oidc() is not None
    except _BrokenOidc:
        return True  # set, so loopback is not trusted; JWTs are refused until fixed


def identity_configured(registry: Registry) -> bool:
    """Whether any way to authenticate is configured: REGISTRY_IMPORT_TOKEN, an OIDC issuer
    or an active registry-issued token. Without any, only loopback may write."""
    if os.environ.get(IMPORT_TOKEN_SETTING):
        return True
    if _oidc_configured():
        return True
    return token_store(registry).any_active()


def from_loopback(connection: HTTPConnection) -> bool:
    """A direct connection from this machine. A request a proxy forwarded (Forwarded or
    X-Forwarded-For) is not: behind a proxy on the same host every caller looks local."""
    headers = connection.headers
    if "forwarded" in headers or "x-forwarded-for" in headers:
        return False
    client = connection.client
    if client is None:
        return False
    try:
        return ipaddress.ip_address(client.host).is_loopback
    except ValueError:
        return False


def startup_notice(registry: Registry) -> str:
    """What `registry serve` says at start about who may write."""
    if not identity_configured(registry):
        return (
            "no identity configured (no API token, no OIDC issuer, no REGISTRY_IMPORT_TOKEN): "
            "writes are accepted only from this machine (loopback), as the local "
            "administrator; create a token with `registry token create` to write from "
            "elsewhere (docs/security.md)"
        )
    ways = []
    if os.environ.get(IMPORT_TOKEN_SETTING):
        ways.append(
            "REGISTRY_IMPORT_TOKEN (a shared admin token; deprecated: issue a token per "
            "writer with `registry token create`)"
        )
    if oidc_from_environment() is not None:  # at start: a ConfigError stops `registry serve`
        ways.append("JWTs from the configured OIDC issuer")
    if token_store(registry).any_active():
        ways.append("registry-issued API tokens")
    return "writes need a bearer token: " + ", ".join(ways)


# -- identify -----------------------------------------------------------------------------


def identify(request: HTTPConnection | Request, registry: Registry) -> Identity:
    """The identity of a request (see the module's docstring). Raises Unauthenticated when
    credentials are sent and are not valid."""
    header = request.headers.get("authorization")
    if header is None or not header.strip():
        if from_loopback(request) and not identity_configured(registry):
            return LOCAL
        return PUBLIC
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("send credentials as `Authorization: Bearer <token>`")
    secret = value.strip()
    if not secret.isascii():  # starlette decodes headers as latin-1; a token is ASCII
        raise Unauthenticated("the bearer token is not ASCII text, so it cannot be valid")
    shared = os.environ.get(IMPORT_TOKEN_SETTING)
    if shared and hmac.compare_digest(secret.encode("ascii"), shared.encode("utf-8")):
        return SHARED_TOKEN
    if secret.startswith(PREFIX):
        token = token_store(registry).find(secret)
        if token is None:
            raise Unauthenticated("the API token is unknown or revoked")
        return Identity(
            subject=f"token:{token.id}",
            name=token.name,
            token_id=token.id,
            role=Role(token.role),
            grants=frozenset(token.grants),
        )
    if secret.count(".") == 2:
        oidc = _oidc()
        if oidc is None:
            raise Unauthenticated("a JWT was sent, but no OIDC issuer is configured")
        return identity_from_jwt(secret, oidc, registry)
    raise Unauthenticated("the bearer token is not one this registry issued or accepts")


# -- JWTs ---------------------------------------------------------------------------------

_jwks_clients: dict[str, jwt.PyJWKClient] = {}


def _signing_key(token: str, oidc: OidcSettings) -> Any:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise Unauthenticated(f"the JWT cannot be read ({error})") from None
    kid = header.get("kid")
    if oidc.jwks_is_url:
        client = _jwks_clients.get(oidc.jwks)
        if client is None:
            client = _jwks_clients[oidc.jwks] = jwt.PyJWKClient(oidc.jwks, lifespan=300)
        try:
            return client.get_signing_key_from_jwt(token).key
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"no key of the issuer verifies the JWT ({error})") from None
    try:
        keys = jwt.PyJWKSet.from_dict(json.loads(Path(oidc.jwks).read_text())).keys
    except (OSError, ValueError, jwt.PyJWTError) as error:
        log.error("REGISTRY_OIDC_JWKS %s cannot be read: %s", oidc.jwks, error)
        raise Unauthenticated("the issuer's keys (JWKS) cannot be read on the server") from None
    matching = [k for k in keys if kid is None or k.key_id == kid]
    if kid is None and len(matching) != 1:
        raise Unauthenticated("the JWT names no key (kid) and the issuer has several")
    if not matching:
        raise Unauthenticated(f"the issuer has no key {kid!r}")
    return matching[0].key


def identity_from_jwt(token: str, oidc: OidcSettings, registry: Registry) -> Identity:
    """Verify a JWT (signature, issuer, audience, expiry) and map its claims: `sub` is the
    subject, the name claim the name, the role claim (a role, or a list whose highest role
    counts; none: reader) the role, the grants claim (ids, keys or names of bodies and
    organisations) the grants."""
    from registry.config import OIDC_ALGORITHMS

    key = _signing_key(token, oidc)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=list(OIDC_ALGORITHMS),
            audience=oidc.audience,
            issuer=oidc.issuer,
            options={"require": ["exp", "iss", "aud", "sub"]},
            leeway=30,
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the JWT has expired") from None
    except jwt.InvalidAudienceError:
        raise Unauthenticated(
            f"the JWT is not meant for this registry (aud is not {oidc.audience!r})"
        ) from None
    except jwt.InvalidIssuerError:
        raise Unauthenticated(f"the JWT was not issued by {oidc.issuer!r}") from None
    except jwt.InvalidSignatureError:
        raise Unauthenticated(
            "the JWT's signature does not verify with the issuer's keys"
        ) from None
    except jwt.PyJWTError as error:
        raise Unauthenticated(f"the JWT is not valid ({error})") from None
    return Identity(
        subject=str(claims["sub"]),
        name=str(claims.get(oidc.name_claim) or claims["sub"]),
        token_id=str(claims["jti"]) if claims.get("jti") else None,
        role=_role_of(claims.get(oidc.role_claim)),
        grants=frozenset(_grants_of(registry, claims.get(oidc.grants_claim))),
    )


_RANK = [Role.READER, Role.RECORDER, Role.AUDITOR, Role.ADMIN]


def _role_of(value: Any) -> Role:
    given = value if isinstance(value, list) else [value]
    roles = [Role(v) for v in given if isinstance(v, str) and v in Role._value2member_map_]
    return max(roles, key=_RANK.index) if roles else Role.READER


def _grants_of(registry: Registry, value: Any) -> Iterable[UUID]:
    given = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    for item in given:
        if not isinstance(item, str):
            continue
        try:
            yield UUID(item)
        except ValueError:
            try:
                yield resolve_grant(registry, item)
            except RegistryError:
                log.warning("a JWT grants %r, which names no body or organisation", item)


# -- authorise ----------------------------------------------------------------------------


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _label(registry: Registry, entity_id: UUID, cls: type) -> str:
    try:
        found = registry.get(entity_id, cls)
    except NotFound:
        return f"{entity_id} (not yet in the registry: registered by this write)"
    return f"{getattr(found, 'name', entity_id)} ({entity_id})"


def authorise_write(
    registry: Registry,
    identity: Identity,
    *,
    bodies: Iterable[UUID] = (),
    organisations: Iterable[UUID] = (),
) -> None:
    """Allow a write for these bodies and organisations, or raise Forbidden saying which
    grant is missing. Administrators write for all; recorders for the bodies and
    organisations in their grants, where a grant of an organisation covers the bodies it
    owns (Body.owner_organisation_ids); readers and auditors never write. Ids may come as
    text (an agreement's parties are stored so): they are compared as UUIDs."""
    bodies = [_as_uuid(b) for b in bodies]
    organisations = [_as_uuid(o) for o in organisations]
    if identity.role is Role.ADMIN:
        return
    if identity.role is not Role.RECORDER:
        raise Forbidden(
            f"{identity.name} has the role {identity.role} and may not write: a recorder "
            "token granted the body or organisation, or an admin token, is needed"
        )
    for body_id in dict.fromkeys(bodies):
        if body_id in identity.grants:
            continue
        try:
            owners = set(registry.get(body_id, Body).owner_organisation_ids)
        except NotFound:
            owners = set()
        if owners & identity.grants:
            continue
        raise Forbidden(
            f"{identity.name} has no grant for the body {_label(registry, body_id, Body)} "
            "(nor for an organisation that owns it); a token with --grant for it is needed"
        )
    for organisation_id in dict.fromkeys(organisations):
        if organisation_id not in identity.grants:
            raise Forbidden(
                f"{identity.name} has no grant for the organisation "
                f"{_label(registry, organisation_id, Organisation)}; a token with --grant "
                "for it is needed"
            )
