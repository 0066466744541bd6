"""JWTs from an OIDC issuer, verified against its JWKS (a file here, as on a closed network):
a real `registry serve` over HTTP on both stores, with a locally generated RSA key as the
issuer's. Every token that is not the issuer's, not for this registry, or expired is refused
and writes nothing; a valid one writes with its subject as the actor."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from registry.config import ConfigError, StoreSettings, oidc_from_environment
from tests.served import registry_process
from tests.test_identity import NOT_REALLY, contexts, count, follow_up, post, seed

ISSUER = "https://idp.example.se/realms/region"
AUDIENCE = "mandate-registry"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write_jwks(path: Path, key: rsa.RSAPrivateKey, kid: str) -> None:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    path.write_text(json.dumps({"keys": [{**public, "kid": kid, "use": "sig", "alg": "RS256"}]}))


def token(key: rsa.RSAPrivateKey, kid: str = "k1", **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-4711",
        "name": "Sekreterare Anna Andersson",
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        "registry_role": "recorder",
        "registry_grants": ["Nämnden a-0001"],
    }
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def oidc_env(jwks: Path) -> dict[str, str]:
    return {
        "REGISTRY_OIDC_ISSUER": ISSUER,
        "REGISTRY_OIDC_AUDIENCE": AUDIENCE,
        "REGISTRY_OIDC_JWKS": str(jwks),
    }


def test_jwts_are_verified_and_their_subject_is_the_actor(
    settings: StoreSettings, tmp_path: Path
) -> None:
    seed(settings, tmp_path)
    issuer_key, other_key = new_key(), new_key()
    jwks = tmp_path / "jwks.json"
    write_jwks(jwks, issuer_key, "k1")
    hour_ago = int(time.time()) - 3600
    refused = {
        "signed by another key": (token(other_key), 401, "signature"),
        "expired": (token(issuer_key, iat=hour_ago - 600, exp=hour_ago), 401, "expired"),
        "another issuer": (token(issuer_key, iss="https://evil.example"), 401, "issued by"),
        "another audience": (token(issuer_key, aud="another-app"), 401, "not meant for"),
        "no expiry": (token(issuer_key, exp=None), 401, "exp"),
        "an unknown key id": (token(issuer_key, kid="k2"), 401, "no key"),
        "unsigned (alg none)": (
            jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "x"}, None, algorithm="none"),
            401,
            "",
        ),
        "no role claim: a reader": (token(issuer_key, registry_role=None), 403, "reader"),
        "a grant of another body": (
            token(issuer_key, registry_grants=["Nämnden b-0001"]),
            403,
            "Nämnden a-0001",
        ),
    }
    before = count(settings)
    with registry_process(
        "serve", "--database", settings.url, cwd=tmp_path, env=oidc_env(jwks)
    ) as server:
        assert "JWTs from the configured OIDC issuer" in server.output()
        for case, (sent, expected, said) in refused.items():
            status, answer = post(server, follow_up("a", 1), sent)
            assert status == expected, (case, status, answer)
            assert said in answer["errors"][0]["message"], (case, answer)
        assert count(settings) == before
        valid = token(issuer_key, jti="jwt-id-1")
        status, answer = post(server, follow_up("a", 1), valid)
        assert status == 200 and answer["status"] == "imported", answer
        # The keys' file gone while serving: JWTs are refused, reads still answered.
        jwks.unlink()
        status, answer = post(server, follow_up("a", 1, day="2021-06-01"), valid)
        assert status == 401 and "OIDC settings are broken" in answer["errors"][0]["message"]
        assert server.graphql("{ bodies { totalCount } }")["bodies"]["totalCount"] == 2
    written = contexts(settings)[before:]
    assert written
    assert {(c.actor, c.subject, c.token_id, c.stated_by) for c in written} == {
        ("Sekreterare Anna Andersson", "user-4711", "jwt-id-1", NOT_REALLY)
    }
    assert "Traceback" not in server.output()


def test_oidc_settings_need_issuer_audience_and_keys(tmp_path: Path) -> None:
    assert oidc_from_environment({}) is None
    with pytest.raises(ConfigError, match="REGISTRY_OIDC_JWKS"):
        oidc_from_environment({"REGISTRY_OIDC_ISSUER": ISSUER, "REGISTRY_OIDC_AUDIENCE": "a"})
    with pytest.raises(ConfigError, match="is not a file"):
        oidc_from_environment(oidc_env(tmp_path / "missing.json"))
    jwks = tmp_path / "jwks.json"
    write_jwks(jwks, new_key(), "k1")
    found = oidc_from_environment(oidc_env(jwks))
    assert found is not None and found.issuer == ISSUER and found.role_claim == "registry_role"


def test_serve_refuses_to_start_with_half_an_oidc_configuration(tmp_path: Path) -> None:
    import subprocess

    from tests.served import registry_command

    done = subprocess.run(
        [*registry_command(), "serve", "--database", str(tmp_path / "r.sqlite"), "--port", "1"],
        env={"PATH": "/usr/bin:/bin", "REGISTRY_OIDC_ISSUER": ISSUER},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert "REGISTRY_OIDC_AUDIENCE" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
