from .town_identity import register

__all__ = ["register"]
