""""Besproken op": where an article was posted or discussed (discussed_on.py);
which addresses are posts (posts.py); their public counts (counts.py).
Settings: settings.py."""

from .discussed_on import CONTRACT, register

__all__ = ["CONTRACT", "register"]
