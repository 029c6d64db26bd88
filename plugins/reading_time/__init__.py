from .reading_time import register

__all__ = ["register"]
