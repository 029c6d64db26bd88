"""The participation service: ideas, supports, reports and moderation.

A WSGI app under gunicorn beside the static site (docs/participation.md is
the contract with the build). ``app.ParticipationApp`` routes each request
with one werkzeug ``Map`` and decides on the routed endpoint, asking one
class per concern:

- ``origin_guard.OriginGuard``: writes come from the site or the service;
- ``input_check``: bounded bodies and fields (4xx with a reason, never a 500);
- ``policy.Consultations``: the build's participation.json, phases and
  deadlines by the server's clock;
- ``guard``: signed single-use form tokens, honeypot, time trap, rate limit
  per network (counted in SQLite, so every worker counts together);
- ``people``: who "a person" is (a signed cookie, or a keyed hash of an
  e-mail address);
- ``store.Store``: SQLite, every write one ``BEGIN IMMEDIATE`` transaction;
- ``board.BoardCache``: the JSON board, cached per worker until the
  database changes;
- ``moderation.ModeratorAuth``: password, sessions, CSRF for /moderatie/;
- ``pages.Pages``: HTML in the site's own shell, in Dutch via gettext.

``cli`` is ``python -m dorpsplein.participation``; ``backup`` reuses the
comment service's online SQLite backup.
"""
