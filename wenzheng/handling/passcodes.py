"""Passcodes for citizens without an account: issued once at submission, with the
message's tracking code, and stored only hashed.

Eight characters from a 32-letter alphabet (40 bits) under PBKDF2 with fewer rounds
than account passwords: a passcode is random, not chosen by a person, so it needs no
heavy stretching, and a message is submitted far more often than a password is set.
"""

import secrets

from django.contrib.auth.hashers import PBKDF2PasswordHasher

# Unambiguous letters and digits, for codes read over the phone.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class PasscodeHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_passcode"
    iterations = 20_000


_hasher = PasscodeHasher()


def random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_passcode() -> str:
    return random_code(8)


def encode(passcode: str) -> str:
    return _hasher.encode(passcode, _hasher.salt())


def matches(passcode: str, encoded: str) -> bool:
    if not passcode or not encoded.startswith(PasscodeHasher.algorithm + "$"):
        return False
    return _hasher.verify(passcode.strip().upper(), encoded)


# The hash a passcode is checked against when the tracking code matches no message.
_DECOY = encode(new_passcode())


def matches_in_constant_time(passcode: str, encoded: str | None) -> bool:
    """`matches`, taking as long when there is no message (`encoded` None): the hash
    is computed either way, so timing does not tell a real tracking code from a fake."""
    real = bool(encoded) and encoded.startswith(PasscodeHasher.algorithm + "$")
    found = _hasher.verify((passcode or "-").strip().upper(), encoded if real else _DECOY)
    return real and bool(passcode) and found
