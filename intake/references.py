"""Public reference codes: 8 random Crockford base32 characters shown as XXXX-XXXX."""

import re
import secrets

# Crockford's alphabet leaves out I, L, O and U so codes read aloud and typed back cleanly.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
assert len(ALPHABET) == 32  # new_reference picks a character with five bits
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def new_reference() -> str:
    # Eight random bytes from one call (secrets.choice asks the system twice a character):
    # the low five bits of a byte pick one of the 32 characters, each equally likely.
    raw = "".join([ALPHABET[byte & 31] for byte in secrets.token_bytes(8)])
    return f"{raw[:4]}-{raw[4:]}"


def normalise_reference(text: str) -> str | None:
    """What a person typed (any case, spaces, with or without the dash, O for 0) → a code."""
    cleaned = re.sub(r"[\s-]", "", text or "").upper().translate(_LOOKALIKES)
    if len(cleaned) != 8:
        return None
    code = f"{cleaned[:4]}-{cleaned[4:]}"
    return code if PATTERN.match(code) else None


def partial_reference(text: str) -> str | None:
    """Part of a code as typed ("hna5", "HNA5-X", "a5x7"): 3 to 7 characters of the code's
    alphabet, upper case, without the dash; None if it cannot be part of a code."""
    cleaned = re.sub(r"[\s-]", "", text or "").upper().translate(_LOOKALIKES)
    if not 3 <= len(cleaned) <= 7 or any(char not in ALPHABET for char in cleaned):
        return None
    return cleaned
