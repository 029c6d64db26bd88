"""The privacy statement's tables and the register of processing activities,
made from what the enabled plugins declare (dorpsplein_kit/privacy.py).

At ``all_generators_finalized`` every enabled plugin's ``processing(context)``
is asked; the records go into the context as ``PRIVACY_PROCESSING``. The
statement page (``Template: privacy``, theme/templates/privacy.html) shows
them where its text says ``{{ privacy.processing }}``, in the words of
``theme/templates/components/privacy_processing.html``. The register of
processing activities (GDPR article 30) for the town's data-protection
officer is a page of its own at ``PRIVACY_REGISTER_URL``, made from the same
records. A feature switched off declares nothing: its table and its register
entry are gone at the next build.

A kind the theme has no words for stops the build: the statement would be
silent about data the site keeps.
"""

from __future__ import annotations

from dorpsplein_kit import (
    PROCESSING_MARKER,
    Contract,
    OutputGenerator,
    OwnPage,
    Setting,
    SettingsError,
    declared,
    fail,
    merge,
    offer,
    privacy_page,
)
from dorpsplein_kit.parallel import mine
from pelican import signals
from pelican.generators import Generator

# The kinds theme/templates/components/privacy_processing.html has words for.
KINDS = ("comments", "ideas", "supports", "email-follow", "self-tests")


def _register_url(name: str, value, settings) -> str:
    if value in (None, ""):
        return ""
    text = str(value)
    if text.startswith(("/", "http:", "https:")) or not text.endswith("/") or ".." in text:
        raise fail(name, value, "must be an address inside the site ending in a slash, such "
                   "as 'privacyverklaring/verwerkingsregister/', or '' for no register,")
    return text


SETTINGS = (
    # Where the register of processing activities is published (a page of the
    # site, linked from the privacy statement); "" publishes none.
    Setting("PRIVACY_REGISTER_URL", "privacyverklaring/verwerkingsregister/", _register_url),
)


def configure(pelican) -> None:
    merge(pelican.settings, SETTINGS)


def records(context) -> list:
    """Every enabled plugin's Processing records; SettingsError for a kind the
    theme cannot describe."""
    found = declared(context).processing_of(context)
    for record in found:
        if record.kind not in KINDS:
            raise SettingsError(
                f"A plugin in PLUGINS keeps personal data of the kind '{record.kind}', which "
                "the privacy statement has no words for — add them to theme/templates/"
                "components/privacy_processing.html and to KINDS in plugins/"
                "privacy_statement/privacy_statement.py.")
    # The statement's order: comments, then participation from idea to test.
    return sorted(found, key=lambda record: KINDS.index(record.kind))


def collect(generators) -> None:
    """Put the records, the marker and the register's address in the context."""
    context = next((g.context for g in generators if hasattr(g, "context")), None)
    if context is None:
        return
    context["PRIVACY_PROCESSING"] = records(context)
    context["PRIVACY_MARKER"] = PROCESSING_MARKER
    page = privacy_page(context)
    context["PRIVACY_PAGE_URL"] = page.url if page is not None else ""


class PrivacyRegisterGenerator(OutputGenerator, Generator):
    """Writes the register of processing activities."""

    # Each process of a parallel build writes its own files (dorpsplein_kit.parallel).
    shares_work = True

    def __init__(self, *args, **kwargs):
        # Pelican's Generator: the theme's Jinja environment with the catalogue.
        Generator.__init__(self, *args, **kwargs)

    def generate_context(self) -> None:
        url = self.settings["PRIVACY_REGISTER_URL"]
        if url:
            offer(self.context, OwnPage(url=url, save_as=f"{url}index.html",
                                        title="", searchable=False))

    def generate_output(self, writer) -> None:
        url = self.settings["PRIVACY_REGISTER_URL"]
        save_as = f"{url}index.html"
        if not url or not mine(save_as):
            return
        context = dict(self.context)
        context.update(output_file=save_as, register_url=url)
        self.write(save_as, self.env.get_template("privacy_register.html").render(context))


def get_generators(pelican):
    return PrivacyRegisterGenerator


def register() -> None:
    signals.initialized.connect(configure)
    signals.all_generators_finalized.connect(collect)
    signals.get_generators.connect(get_generators)


CONTRACT = Contract()
