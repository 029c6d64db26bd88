"""The town's comment service: Isso behind one decision point of our own.

What is enforced where (docs/hosting.md says the same):

- ``app.TownIsso`` routes every request with Isso's own URL map and then
  decides: ``origin_guard`` (writes only from the site), ``input_check``
  (bounded, typed bodies and queries; 4xx, never a 500), ``thread_gate``
  (writes only on published, open threads), ``moderation`` (admin, login,
  e-mailed links), ``unsubscribe`` (the reply mails' link: a page on GET,
  Isso's unsubscribe on POST), ``read_cache`` (bounded in bytes).
- ``notifications``: the moderators' and the reply mails, in the site's
  language (``i18n``, ``locale/``), instead of Isso's notifiers.
- ``isso_fixes``: each new comment is answered with its own row; the rate
  limits say which limit and when to try again.
- ``config``: isso.cfg from the template ``isso.cfg.in``; files 0600 in 0700
  folders.
- ``backup``: consistent copies of the database.
- ``cli``: ``python -m dorpsplein.comments``.
"""
