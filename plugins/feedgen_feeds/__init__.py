from .feedgen_feeds import CONTRACT, register

__all__ = ["CONTRACT", "register"]
