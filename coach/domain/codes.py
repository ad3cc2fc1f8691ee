"""Join codes and facilitator keys: made, formatted, parsed and hashed."""

from __future__ import annotations

import hashlib
import re
import secrets

from coach.errors import InputError

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 12  # 60 bits: unguessable, still easy to read aloud in three groups


def new_code() -> str:
    n = secrets.randbits(5 * CODE_LENGTH)
    return "".join(CODE_ALPHABET[(n >> (5 * i)) & 31] for i in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def parse_code(raw: str) -> str:
    """Accept a code as people type it: any case, spaces or dashes, O for 0, I or L for 1."""
    code = re.sub(r"[\s\-]", "", raw or "").upper()
    code = code.translate(str.maketrans("OIL", "011"))
    if not code:
        raise InputError("Enter the workshop's join code, e.g. K7QM-4XHD-9TRB.")
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise InputError(
            f"'{raw.strip()[:40]}' is not a join code: a code has {CODE_LENGTH} letters and "
            "digits, like K7QM-4XHD-9TRB. Check it with your facilitator."
        )
    return code


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_link_secret() -> str:
    """The secret in a member's or a plan's personal link (128 bits)."""
    return secrets.token_urlsafe(16)


def token_hash(token: str) -> str:
    """What the database keeps of a link's secret: its SHA-256, so a copied database or
    backup opens no one's page."""
    return hashlib.sha256(f"link:{token}".encode()).hexdigest()


def member_plan_token(member_token: str) -> str:
    """A member's commitment plan link, derived from their member link: the member's page
    can always find it again, while the database keeps only hashes of both."""
    return hashlib.sha256(f"plan:{member_token}".encode()).hexdigest()[:32]
