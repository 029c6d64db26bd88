from .editor_checks import register

__all__ = ["register"]
