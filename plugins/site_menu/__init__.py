from .site_menu import register

__all__ = ["register"]
