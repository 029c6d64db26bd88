from .feedgen_feeds import register

__all__ = ["register"]
