"""Tokens: made once, shown once, kept as SHA-256."""

import hashlib
import secrets

PREFIX = "dzw_"


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_prefix(token: str) -> str:
    return token[:12]
