"""The one redaction function used by every human-facing output and log."""

ELLIPSIS = "…"


def redact(secret: str) -> str:
    """First four characters and an ellipsis; fewer characters for short values, so that
    never more than a quarter of a secret is shown."""
    shown = min(4, len(secret) // 4)
    return secret[:shown] + ELLIPSIS


def quoted(value: object) -> str:
    """A value a user wrote, for an error message: redacted like a secret, since a value put
    in the wrong place (a token pasted into ``format =``) may well be one."""
    return repr(redact(str(value)))


def scrub(text: str, secrets: "list[str] | tuple[str, ...]") -> str:
    """Replace every occurrence of the given secrets in ``text`` with their redacted form."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, redact(secret))
    return text
