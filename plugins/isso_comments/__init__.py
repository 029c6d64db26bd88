from .isso_comments import register

__all__ = ["register"]
