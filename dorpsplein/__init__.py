"""Dorpsplein, the application: build runner, live preview, editor commands, publish and
the comment service (developer tools live apart, in dorpsplein.devtools)."""
