"""Dorpsplein: helpers shared by tasks.py and the tests (build runner, dev server)."""
