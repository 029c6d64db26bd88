"""Consultations ("inspraak"): the build half (participation.py); the service
is dorpsplein/participation/. Settings: settings.py (shared by both)."""

from .participation import CONTRACT, register

__all__ = ["CONTRACT", "register"]
