"""Render a full build's output in several processes.

Pelican reads every file, builds the shared context and then renders page
after page in one process. Once the context is built, this module forks
worker processes (``os.fork``: they inherit the context as it is, nothing is
pickled) and lets each render its own part of the output:

- Pelican's writer is shared file by file: a page that is not this process's
  (``dorpsplein_kit.parallel.mine`` of its output path) is not rendered and
  not written, here only;
- a generator that writes files of its own takes part when it says
  ``shares_work = True`` (feeds, share images, resized pictures); any other
  (static files, the sitemap, ...) runs in the first process only;
- the first process is the build itself: it waits for the workers after its
  last generator, before ``finalized`` (the search index needs every page).

A worker sends back the problems it logged and, if it failed, its exception:
the build reports them exactly as a one-process build would. The output is
byte-identical whatever the number of processes (tests/test_parallel_build.py).

``BUILD_PROCESSES`` (default: the CPUs this process may use, at most 4) sets
the number; 1 renders in one process, as Pelican does.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import signal

from dorpsplein_kit import SettingsError
from dorpsplein_kit import parallel as share


def processes(settings: dict) -> int:
    """The number of processes the build renders with (BUILD_PROCESSES, checked)."""
    value = settings.get("BUILD_PROCESSES")
    if value is None:
        try:
            available = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            available = os.cpu_count() or 1
        value = min(available, 4)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
        raise SettingsError(
            f"BUILD_PROCESSES = {value!r} is not a number of processes: write a whole number "
            "from 1 to 64 in pelicanconf.py (1 renders in one process), or leave it out.")
    if not hasattr(os, "fork"):
        return 1
    return value


def _fork(work) -> tuple[int, int]:
    """Start a worker process that runs ``work(write end of a pipe)``, which
    never returns (it ends with ``os._exit``); (its pid, the pipe's read end)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            work(write_end)
        finally:
            os._exit(1)  # only if ``work`` forgot to end the worker
    os.close(write_end)
    return pid, read_end


def _stop(pid: int) -> None:
    """End a worker that may still run, and reap it."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)


class WorkerFailed(Exception):
    """A worker stopped without a reason it could send (killed, crashed)."""


class _Skipped(str):
    """What a page that another process renders 'renders' to here."""


SKIPPED = _Skipped()


class _SharedTemplate:
    """A Jinja template that renders only this process's pages."""

    def __init__(self, template):
        self.template = template

    def render(self, context):
        name = context.get("output_file")
        if name is None or share.mine(name):
            return self.template.render(context)
        return SKIPPED

    def __getattr__(self, name):
        return getattr(self.template, name)


class _Held:
    """A file being written, kept until we know whether it is ours."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, data):
        self.parts.append(data)


def share_writer(writer) -> None:
    """Make ``writer`` render and write only this process's pages."""
    write_file, open_w = writer.write_file, writer._open_w

    def write_shared(name, template, context, *args, **kwargs):
        return write_file(name, _SharedTemplate(template), context, *args, **kwargs)

    @contextlib.contextmanager
    def open_when_ours(filename, encoding, override=False):
        held = _Held()
        yield held
        if any(part is SKIPPED for part in held.parts):
            return
        with open_w(filename, encoding, override) as handle:
            for part in held.parts:
                handle.write(part)

    writer.write_file = write_shared
    writer._open_w = open_when_ours


def _shares_work(generator) -> bool:
    from pelican.generators import ArticlesGenerator, PagesGenerator, TemplatePagesGenerator

    # Pelican's page generators write only through the (shared) writer.
    return isinstance(generator, ArticlesGenerator | PagesGenerator | TemplatePagesGenerator) \
        or getattr(generator, "shares_work", False) is True


class OutputSplit:
    """Forks the workers at the first generator's output and waits for them
    after the last one; ``report()`` gives the problems logged so far."""

    def __init__(self, generators, count: int, report):
        self.generators = [g for g in generators if hasattr(g, "generate_output")]
        self.count = count
        self.report = report
        self.original = {id(g): g.generate_output for g in self.generators}
        self.workers: list[tuple[int, int]] = []  # (pid, read end of its pipe)
        self.started = False

    def install(self) -> None:
        for generator in self.generators:
            generator.generate_output = self._wrapped(generator)

    def _wrapped(self, generator):
        def generate_output(writer):
            if not self.started:
                self._start(writer)
            # The first process runs every generator: its part of those that
            # share, and the whole of those that do not.
            self.original[id(generator)](writer)
            if generator is self.generators[-1]:
                self.join()
        return generate_output

    def _start(self, writer) -> None:
        self.started = True
        share_writer(writer)
        # The context is built: Python's cyclic collector need not go through
        # it in the workers (it would write to every object's header and so
        # copy every page of the shared memory into each of them).
        gc.freeze()
        problems_before = len(self.report()[0])
        for worker in range(1, self.count):
            self.workers.append(_fork(lambda pipe, worker=worker: self._work(
                worker, writer, pipe, problems_before)))
        share.share(0, self.count)

    def _work(self, worker: int, writer, write_end: int, problems_before: int) -> None:
        outcome = {}
        try:
            share.share(worker, self.count)
            for generator in self.generators:
                if _shares_work(generator):
                    self.original[id(generator)](writer)
        except BaseException as exc:  # noqa: BLE001 - sent to the build, reported there
            outcome["error"] = exc
        try:
            problems, advice = self.report()
            outcome["problems"] = problems[problems_before:]
            outcome["advice"] = list(advice)
            try:
                data = pickle.dumps(outcome)
            except Exception:  # noqa: BLE001 - an exception that cannot travel
                from .build import _one_line

                outcome["error"] = WorkerFailed(_one_line(outcome["error"]))
                data = pickle.dumps(outcome)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)

    def join(self) -> None:
        """Wait for every worker; raise the first worker's exception, if any."""
        failure = None
        problems, advice = self.report()
        for pid, read_end in self.workers:
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            try:
                outcome = pickle.loads(data)
            except Exception:  # noqa: BLE001 - nothing (or half) arrived
                outcome = {"error": WorkerFailed(
                    f"a build process stopped unexpectedly ({_describe(status)})")}
            problems.extend(outcome.get("problems", []))
            advice.extend(a for a in outcome.get("advice", []) if a not in advice)
            failure = failure or outcome.get("error")
        self.workers = []
        share.share(0, 1)
        gc.unfreeze()
        if failure is not None:
            raise failure

    def abort(self) -> None:
        """Stop workers still running (the build failed in the first process)."""
        for pid, read_end in self.workers:
            _stop(pid)
            with contextlib.suppress(OSError):
                os.close(read_end)
        if self.workers:
            gc.unfreeze()
        self.workers = []
        share.share(0, 1)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


class _Replay:
    """Stands in for the Markdown instance when Pelican's MarkdownReader parses
    the front matter of a file a worker converted: the formatted fields
    (Summary) were converted there, with the same instance, in the same order."""

    class _Registry:
        def deregister(self, name, strict=True):
            pass

    def __init__(self, formatted: dict):
        self.formatted = formatted
        self.preprocessors = self._Registry()

    def reset(self):
        return self

    def convert(self, text):
        return self.formatted[text]


class _Records(logging.Handler):
    """Keeps what a worker logs while it converts one file, to log it again
    in the build when the build reaches that file."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        record.msg, record.args = record.getMessage(), None
        record.exc_info = record.exc_text = None
        self.records.append(record)


def _convert(settings: dict, path: str) -> dict:
    """What MarkdownReader.read does to a file, as plain data that can travel:
    the HTML, the raw front matter, and the formatted fields converted by the
    same Markdown instance in the order Pelican converts them."""
    from markdown import Markdown
    from pelican.utils import pelican_open

    md = Markdown(**settings["MARKDOWN"])
    with pelican_open(path) as text:
        content = md.convert(text)
    meta = getattr(md, "Meta", None)
    formatted = {}
    if meta is not None:
        md.preprocessors.deregister("meta")
        for name, value in meta.items():
            if name.lower() in settings["FORMATTED_FIELDS"]:
                joined = "\n".join(value)
                md.reset()
                formatted[joined] = md.convert(joined)
    return {"content": content, "meta": meta, "formatted": formatted}


class ReadAhead:
    """Converts the Markdown files in worker processes while Pelican reads.

    Started when the articles generator is made (every generator exists, none
    has read a file): the files Pelican will read, articles then pages, are
    dealt out in turn; the build converts its own turns itself and takes the
    others' results, in Pelican's order, from the workers' pipes. Whatever a
    worker logged or raised for a file is logged or raised again when Pelican
    reads that file, so problems come out in the same order with the same words.
    """

    def __init__(self, generator, count: int):
        self.count = count
        self.waiting: dict[str, dict] = {}
        self.workers: list[tuple[int, object]] = []
        settings = generator.settings
        extensions = {ext for ext, reader in generator.readers.readers.items()
                      if _is_markdown(reader)}
        files = []
        for paths, excludes in ((settings["ARTICLE_PATHS"], settings["ARTICLE_EXCLUDES"]),
                                (settings["PAGE_PATHS"], settings["PAGE_EXCLUDES"])):
            files += [os.path.abspath(os.path.join(generator.path, f))
                      for f in generator.get_files(paths, exclude=excludes,
                                                   extensions=extensions)]
        # Which worker converts which file (0: the build itself).
        self.theirs = {path: number % count for number, path in enumerate(files)
                       if number % count}
        self._start(settings, files)
        for reader in generator.readers.readers.values():
            if _is_markdown(reader):
                reader.read = self._reader(reader, reader.read)

    def _start(self, settings: dict, files: list[str]) -> None:
        for worker in range(1, self.count):
            pid, read_end = _fork(lambda pipe, worker=worker: self._work(
                settings, files[worker::self.count], pipe))
            self.workers.append((pid, os.fdopen(read_end, "rb")))

    @staticmethod
    def _work(settings: dict, files: list[str], write_end: int) -> None:
        try:
            root = logging.getLogger()
            with os.fdopen(write_end, "wb") as pipe:
                for path in files:
                    capture = _Records()
                    root.addHandler(capture)
                    try:
                        payload = _convert(settings, path)
                    except Exception as exc:  # noqa: BLE001 - raised again in the build
                        payload = {"error": exc}
                    finally:
                        root.removeHandler(capture)
                    payload["records"] = capture.records
                    try:
                        data = pickle.dumps((path, payload))
                    except Exception:  # noqa: BLE001 - the build reads this file itself
                        data = pickle.dumps((path, None))
                    pipe.write(len(data).to_bytes(8, "big") + data)
        finally:
            os._exit(0)

    def _take(self, path: str):
        """The worker's result for ``path``; None when the build must read it."""
        worker = self.theirs.pop(path, None)
        if worker is None:
            return None
        pipe = self.workers[worker - 1][1]
        while path not in self.waiting:
            size = pipe.read(8)
            if len(size) < 8:
                break  # the worker stopped: the build reads the file itself
            other, payload = pickle.loads(pipe.read(int.from_bytes(size, "big")))
            self.waiting[other] = payload
        return self.waiting.pop(path, None)

    def _reader(self, reader, read):
        def read_ahead(source_path):
            payload = self._take(os.path.abspath(source_path))
            if payload is None:
                return read(source_path)
            for record in payload["records"]:
                logging.getLogger(record.name).handle(record)
            if "error" in payload:
                raise payload["error"]
            reader._source_path = source_path
            reader._md = _Replay(payload["formatted"])
            if payload["meta"] is None:
                return payload["content"], {}
            return payload["content"], reader._parse_metadata(payload["meta"])
        return read_ahead

    def close(self) -> None:
        """Stop the workers (done, or no longer needed) and forget their results."""
        for pid, pipe in self.workers:
            _stop(pid)
            pipe.close()
        self.workers, self.waiting, self.theirs = [], {}, {}


def _is_markdown(reader) -> bool:
    from pelican.readers import MarkdownReader

    return isinstance(reader, MarkdownReader)
