"""Run a strict Pelican build and turn every problem into one readable line.

Pelican logs content problems as warnings and carries on; a town must not
publish a site with an article silently missing. This runner builds in
process, collects every warning and error Pelican or a plugin logs, and
reports them as ``content/articles/x.md:3: what is wrong — the fix`` lines. A
build with any such line fails. Exceptions raised by settings checks (our
plugins raise ``ValueError`` subclasses with a full sentence) are reported as
that sentence, without a traceback.

The lines this runner writes itself (its explanations of Pelican's warnings,
the summary) are said in ``EDITOR_LANGUAGE`` (``dorpsplein/messages.py``); a
wrong value of that setting stops the build with one sentence naming it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .messages import decimal, language_of, translations

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class BuildResult:
    """What a build produced: the settings used and the problems found."""

    settings: dict
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    advice: list[str] = field(default_factory=list)
    # Nothing had changed since the last build: nothing was written (uptodate.py).
    unchanged: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def output_path(self) -> Path:
        return Path(self.settings["OUTPUT_PATH"])


class BuildFailed(Exception):
    """The build stopped; ``problems`` holds one line per reason, said in
    ``language`` (the build's EDITOR_LANGUAGE)."""

    def __init__(self, problems: list[str], advice: list[str] | None = None,
                 language: str = "nl"):
        self.problems = problems
        self.advice = advice or []
        self.language = language
        super().__init__("\n".join(problems))


class _Collector(logging.Handler):
    """Keeps every WARNING-or-worse record as a one-line problem."""

    def __init__(self, content_path: Path, language: str = "nl"):
        super().__init__(level=logging.WARNING)
        self.content_path = content_path
        self.problems: list[str] = []
        self.advice: list[str] = []
        self.language = language
        self._ = translations(language).gettext

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not hide the problem
            message = str(record.msg)
        if getattr(record, "advisory", False):
            # Worth saying, never a reason to fail (e.g. a long summary).
            self.advice.append(_one_line_text(message))
            return
        # Pelican logs "Could not process <file>" from inside an except block
        # without the exception; the exception being handled is the reason.
        exc = record.exc_info[1] if record.exc_info else sys.exc_info()[1]
        for pattern, explain in _EXPLAINERS:
            match = pattern.match(message)
            if match:
                self.problems.extend(explain(self, match, exc))
                return
        self.problems.append(_one_line_text(message))

    def source(self, path: str) -> Path:
        full = Path(path)
        return full if full.is_absolute() else self.content_path / path

    def display(self, path: Path) -> str:
        return os.path.relpath(path, ROOT) if _inside(path, ROOT) else str(path)

    def content_files(self):
        return sorted(p for p in self.content_path.rglob("*") if p.suffix in {".md", ".markdown"})


def _line_starting(path: Path, prefix: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for number, line in enumerate(lines, start=1):
        if line.lower().startswith(prefix.lower()):
            return number
    return None


# Pelican's words for a date it cannot read: "'gisteren' is not a valid date".
_NOT_A_DATE = re.compile(r"""^(['"])(?P<value>.*)\1 is not a valid date$""")
# The example of a {filename} link the lines give.
_LINK_EXAMPLE = "{filename}/articles/2026-09-x-of-mastodon.md"


def _could_not_process(collector: _Collector, match, exc):
    _ = collector._
    path = collector.source(match.group(1).strip())
    where = collector.display(path)
    if isinstance(exc, UnicodeDecodeError):
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        return [f"{where}:{line}: " + _(
            "the file is not valid UTF-8 (byte {byte}) — save it as UTF-8 in your editor "
            "(in Notepad: Save as, Encoding UTF-8).").format(
            byte=f"0x{exc.object[exc.start]:02x}")]
    text = _one_line(exc) if exc else ""
    date = _NOT_A_DATE.match(text)
    if date:
        line = _line_starting(path, "date:")
        prefix = f"{where}:{line}" if line else where
        return [f"{prefix}: " + _("'{value}' is not a valid date — write the date as "
                                  "2026-11-26 or 2026-11-26 14:30.").format(
            value=date.group("value"))]
    line = getattr(exc, "lineno", None)
    prefix = f"{where}:{line}" if line else where
    if not text:
        return [f"{prefix}: " + _("Pelican could not read the file — check the file; if you "
                                  "cannot find the problem, send this line to whoever looks "
                                  "after the site.")]
    return [f"{prefix}: " + _("Pelican could not read the file ({error}) — check the file "
                              "around this line; if you cannot find the problem, send this "
                              "line to whoever looks after the site.").format(error=text)]


def _missing_metadata(collector: _Collector, match, exc):
    path = collector.source(match.group(1).strip())
    key = match.group(2)
    example = {"title": "Title: Het nieuwe dorpsplein", "date": "Date: 2026-11-26 14:30"}.get(
        key, f"{key.capitalize()}: ..."
    )
    return [f"{collector.display(path)}:1: " + collector._(
        "the front matter has no {key} — add a line such as '{example}' at the top of the "
        "file.").format(key=key.capitalize(), example=example)]


def _missing_link_target(collector: _Collector, match, exc):
    _ = collector._
    target = match.group(1)
    left_out = collector.source(target.lstrip("/"))
    if left_out.is_file() and any(p.startswith(collector.display(left_out) + ":")
                                  for p in collector.problems):
        # The file is there but left out of the build for its own problems,
        # already named: links to it work again once those are fixed.
        return []
    found = []
    for path in collector.content_files():
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace")
                                      .splitlines(), start=1):
            if target in line:
                found.append(f"{collector.display(path)}:{number}: " + _(
                    "the link to '{target}' points at a file that does not exist — check the "
                    "name under content/ (for example {example}).").format(
                    target=target, example=_LINK_EXAMPLE))
    return found or [_("A link points at '{target}', which does not exist under content/ — "
                       "check the name in the link (for example {example}).").format(
        target=target, example=_LINK_EXAMPLE)]


_EXPLAINERS = [
    (re.compile(r"Could not process (.+)"), _could_not_process),
    (re.compile(r"Skipping (.+): could not find information about '(\w+)'"), _missing_metadata),
    (re.compile(r"Unable to find '\{?\w*\}?(.+?)', skipping url replacement"),
     _missing_link_target),
]


@contextlib.contextmanager
def collecting(content_path: Path):
    """Collect WARNING-or-worse log records as one-line problems while inside."""
    collector = _Collector(Path(content_path))
    root_logger = logging.getLogger()
    quiet = list(root_logger.handlers)  # Pelican's console would print them again
    for handler in quiet:
        handler.setLevel(logging.CRITICAL + 1)
    root_logger.addHandler(collector)
    try:
        yield collector
    finally:
        root_logger.removeHandler(collector)
        for handler in quiet:
            handler.setLevel(logging.NOTSET)


def _inside(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent)
        return True
    except ValueError:
        return False


def _one_line_text(text: str) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _one_line(exc: BaseException) -> str:
    from .parallel import WorkerFailed

    text = _one_line_text(str(exc)) or exc.__class__.__name__
    if not isinstance(exc, ValueError | UnicodeError | OSError | WorkerFailed):
        text = f"{exc.__class__.__name__}: {text}"
    return text


def _reset_signals() -> None:
    """Disconnect every plugin from Pelican's signals.

    Signals are module globals: in one process, a second build would still
    call the plugins a first build registered, even ones its PLUGINS leave
    out. Pelican registers the configured plugins again at every build.
    """
    import weakref

    import blinker
    from pelican.plugins import signals

    # Pelican's signals, and blinker's global named ones that plugins such as
    # pelican-granular-signals / pelican-precompress use ("compress", ...).
    every = list(vars(signals).values()) + list(blinker.default_namespace.values())
    for signal in every:
        if not isinstance(signal, blinker.Signal):
            continue
        for ref in list(signal.receivers.values()):
            receiver = ref() if isinstance(ref, weakref.ref) else ref
            if receiver is not None:
                signal.disconnect(receiver)


# The Pelican release this runner was written and tested against; a test says
# so clearly when the installed one differs (tests/test_pelican_version.py).
TESTED_PELICAN = "4.12"


def _kept_pelican_class():
    """A ``Pelican`` whose ``run()`` is Pelican's own, keeping what the live
    preview needs to update one page later: the generators (from the
    ``all_generators_finalized`` signal), their shared context, and the writer
    class Pelican chooses (the ``get_writer`` signal, else ``Writer``)."""
    from pelican import Pelican
    from pelican.log import console
    from pelican.plugins import signals
    from pelican.writers import Writer

    from .parallel import OutputSplit, ReadAhead

    class KeptPelican(Pelican):
        kept: dict
        # Set by build_with: the problems logged so far, the processes to render with.
        collector: _Collector | None = None
        processes: int = 1
        split = read_ahead = None

        def _read_ahead(self, generator) -> None:
            self.read_ahead = ReadAhead(generator, self.processes)

        def _keep_generators(self, generators) -> None:
            if "generators" in self.kept:
                return
            self.kept["generators"] = generators
            _addresses_once(generators[0].context)
            if self.read_ahead is not None:
                self.read_ahead.close()  # every file is read
            if self.processes > 1:
                # Connected after every plugin: the context is complete here.
                self.split = OutputSplit(generators, self.processes, self._problems)
                self.split.install()

        def _problems(self):
            return self.collector.problems, self.collector.advice

        def run(self) -> None:
            self.kept = {}
            if self.processes > 1:
                signals.article_generator_init.connect(self._read_ahead, weak=False)
            signals.all_generators_finalized.connect(self._keep_generators, weak=False)
            quiet, console.quiet = console.quiet, True  # our runner reports instead
            try:
                super().run()
            finally:
                console.quiet = quiet
                signals.all_generators_finalized.disconnect(self._keep_generators)
                signals.article_generator_init.disconnect(self._read_ahead)
                if self.read_ahead is not None:
                    self.read_ahead.close()
                if self.split is not None:
                    self.split.abort()  # workers still running: the build failed
            writers = [w for _, w in signals.get_writer.send(self) if isinstance(w, type)]
            writer_class = writers[0] if writers else Writer
            self.kept["writer"] = writer_class(self.output_path, settings=self.settings)
            self.kept["context"] = self.kept["generators"][0].context

    return KeptPelican


_kept_classes: dict[type, type] = {}


def kept_class(cls: type) -> type:
    """``cls`` (Pelican's Article or Page) with its address computed once.
    Pelican computes ``url`` and ``save_as`` from the metadata at every use
    (about 60 µs, ten thousand times in a 1,000-post build, the slowest part
    of rendering a list). Once every plugin has seen the content
    (``all_generators_finalized``) nothing changes an address: the build
    keeps each one from then on; in the live preview, an edit that would
    change one is a full build."""
    if cls in _kept_classes or cls in _kept_classes.values():
        return _kept_classes.get(cls, cls)

    def kept(name):
        prop = getattr(cls, name)
        return cached_property(lambda self: prop.fget(self))

    # The same name: Pelican finds the settings by it (ARTICLE_URL, ...).
    _kept_classes[cls] = type(cls.__name__, (cls,), {
        "__module__": cls.__module__, "url": kept("url"), "save_as": kept("save_as")})
    return _kept_classes[cls]


def _addresses_once(context) -> None:
    """Every article's and page's address, computed once from here on."""
    for content in list(context.get("generated_content", {}).values()):
        if content is not None and hasattr(type(content), "save_as"):
            content.__class__ = kept_class(type(content))


def _forget_memoised_content() -> None:
    """Pelican memoises article HTML in class-level caches keyed by object: in a
    long preview session every rebuild would add a copy of the whole site."""
    from pelican.contents import Content

    for name in ("get_content", "get_summary"):
        getattr(Content, name).cache.clear()


def build(
    settings_file: str | os.PathLike = "pelicanconf.py",
    overrides: dict | None = None,
    debug: bool = False,
) -> BuildResult:
    """Build the site; raise BuildFailed with one line per problem."""
    return build_with(settings_file, overrides, debug)[0]


def build_with(
    settings_file: str | os.PathLike = "pelicanconf.py",
    overrides: dict | None = None,
    debug: bool = False,
    keep: bool = False,
):
    """Build; return (BuildResult, kept state or None). ``keep`` keeps the
    generators and writer for dorpsplein.incremental. The build renders in
    BUILD_PROCESSES processes (dorpsplein/parallel.py)."""
    # One function on purpose (66 lines): its try/finally must restore the
    # logging handlers and the working directory whatever step fails.
    # Imported here so `import dorpsplein.build` stays cheap for tasks.py.
    from dorpsplein_kit import editor_language
    from pelican.log import init as init_logging
    from pelican.settings import read_settings

    from . import uptodate
    from .parallel import processes

    settings_file = Path(settings_file)
    if not settings_file.is_absolute():
        settings_file = ROOT / settings_file
    init_logging(level=logging.WARNING)
    pelican_logger = logging.getLogger("pelican")
    root_logger = logging.getLogger()
    started = time.perf_counter()
    # Pelican resolves plugin and theme paths against the current directory
    # in places; build from the project root, as `invoke` does.
    previous_cwd = Path.cwd()
    os.chdir(ROOT)
    collector = None
    language = language_of(overrides)
    try:
        try:
            settings = read_settings(str(settings_file), override=overrides or {})
            language = language_of(settings)
            editor_language(settings)  # a wrong value stops here, naming the setting
            count = processes(settings)  # so does BUILD_PROCESSES
            inputs = uptodate.Inputs(settings, settings_file, ROOT)
            recorded = None if keep else inputs.unchanged()
            if recorded is not None:
                return BuildResult(settings=settings, advice=recorded, unchanged=True,
                                   seconds=time.perf_counter() - started), None
            inputs.forget()
            _reset_signals()
            collector = _Collector(Path(settings["PATH"]), language)
            # Pelican's own console handler would print the same lines again.
            quiet = [h for h in root_logger.handlers if h is not collector]
            for handler in quiet:
                handler.setLevel(logging.CRITICAL + 1)
            root_logger.addHandler(collector)
            pelican_logger.propagate = True
            _forget_memoised_content()
            pelican = _kept_pelican_class()(settings)
            pelican.collector = collector
            pelican.processes = count
            # Plugins that fail to register are only logged by Pelican.
            if any(p.startswith("Cannot load plugin") or p.startswith("Cannot register")
                   for p in collector.problems):
                raise BuildFailed(collector.problems, collector.advice, language)
            pelican.run()
            state = pelican.kept
        except BuildFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - reported as one sentence
            if debug:
                raise
            problems = (collector.problems if collector else []) + [_one_line(exc)]
            raise BuildFailed(problems, collector.advice if collector else [],
                              language) from exc
        problems = list(dict.fromkeys(collector.problems))
        result = BuildResult(settings=settings, problems=problems, advice=collector.advice)
        result.seconds = time.perf_counter() - started
        if problems:
            raise BuildFailed(problems, collector.advice, language)
        inputs.record(result.advice)
        return result, (state if keep else None)
    finally:
        if collector is not None:
            root_logger.removeHandler(collector)
        for handler in root_logger.handlers:
            handler.setLevel(logging.NOTSET)
        os.chdir(previous_cwd)


def main(argv: list[str] | None = None) -> int:
    """Command line: python -m dorpsplein.build [settings file] [--debug]."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    settings_file = args[0] if args else "pelicanconf.py"
    try:
        result = build(settings_file, debug=debug)
    except BuildFailed as failed:
        said = translations(failed.language)
        for line in failed.advice:
            print(said.gettext("warning: {line}").format(line=line), file=sys.stderr)
        for line in failed.problems:
            print(line, file=sys.stderr)
        count = len(failed.problems)
        print(said.ngettext("Build failed: {count} problem to fix.",
                            "Build failed: {count} problems to fix.", count).format(count=count),
              file=sys.stderr)
        return 1
    language = language_of(result.settings)
    said = translations(language)
    for line in result.advice:
        print(said.gettext("warning: {line}").format(line=line), file=sys.stderr)
    if result.unchanged:
        print(said.gettext("Nothing changed since the last build: {folder} is up to date "
                           "({seconds} s).").format(folder=result.output_path,
                                                   seconds=decimal(result.seconds, language)))
        return 0
    print(said.gettext("Built {folder} in {seconds} s with no errors.").format(
        folder=result.output_path, seconds=decimal(result.seconds, language)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
