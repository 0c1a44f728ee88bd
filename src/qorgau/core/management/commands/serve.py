"""``qorgau serve [--bind 127.0.0.1:8000] [--workers N] [--timeout 120] [--no-collectstatic]
[--check]``: Qorgau in production, on gunicorn (docs/operations.md).

gunicorn runs the WSGI application ``qorgau.wsgi`` in ``--workers`` processes (default 2 × the
cores this process may use + 1); WhiteNoise serves the static files from STATIC_ROOT, which
this command fills first with ``collectstatic`` when it is empty or older than the sources.
Any other gunicorn setting comes from ``GUNICORN_CMD_ARGS`` (gunicorn's own variable, e.g.
``--access-logfile -``); an option given to this command wins over it. ``--check`` prints what
would run and whether the static files are collected, and starts nothing.
"""

import argparse
import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db import connections
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qorgau.core.commands import QorgauCommand
from qorgau.core.staticfiles import uncollected

APPLICATION = "qorgau.wsgi:application"
DEFAULT_BIND = "127.0.0.1:8000"
# Seconds a worker may spend on one request before gunicorn restarts it: a PDF reply takes a
# few seconds, a streamed export of every case longer than gunicorn's default 30.
DEFAULT_TIMEOUT = 120


def cores() -> int:
    """The CPUs this process may run on (its affinity, which a container's cpuset limits)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(cpus: int | None = None) -> int:
    """gunicorn's rule of thumb for sync workers: 2 × cores + 1 (5 on a 2-core server)."""
    return 2 * (cpus if cpus is not None else cores()) + 1


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return number


def gunicorn_settings(bind: str | None, workers: int | None, timeout: int | None) -> dict:
    """gunicorn's settings: ours by default, then ``GUNICORN_CMD_ARGS``, then this command's
    options where given."""
    from gunicorn.config import Config

    values: dict[str, Any] = {
        "bind": [DEFAULT_BIND],
        "workers": default_workers(),
        "timeout": DEFAULT_TIMEOUT,
        "proc_name": "qorgau",
        # Access logs would write every searched word and case number: off unless asked for.
        "accesslog": None,
    }
    config = Config()
    if "control_socket_disable" in config.settings:
        # Newer gunicorn opens a control socket under $HOME, which a service user may not have.
        values["control_socket_disable"] = True
    from_env = config.parser().parse_args(config.get_cmd_args_from_env())
    values.update({k: v for k, v in vars(from_env).items() if v is not None and k != "args"})
    given = {"bind": [bind] if bind else None, "workers": workers, "timeout": timeout}
    values.update({k: v for k, v in given.items() if v is not None})
    return values


def close_connections() -> None:
    """Close this process's database connections, and psycopg's pool if one was opened
    (DB_POOL=1): a forked worker must not share a socket with its parent or its siblings.
    Each worker opens its own when it first needs one."""
    for connection in connections.all(initialized_only=True):
        connection.close()
        if connection.alias in getattr(connection, "_connection_pools", {}):
            connection.close_pool()  # type: ignore[attr-defined]  # PostgreSQL's wrapper only


def run_gunicorn(values: dict) -> None:
    """Run gunicorn's arbiter in this process with ``values``, serving ``qorgau.wsgi``."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.util import import_app

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in values.items():
                self.cfg.set(key, value)

        def load(self):
            # In each worker (no preload), by name, as `gunicorn qorgau.wsgi:application` does.
            return import_app(APPLICATION)

    Server(prog="qorgau serve").run()


class Command(QorgauCommand):
    help = (
        "Serve Qorgau in production: gunicorn running qorgau.wsgi with 2 × cores + 1 workers, "
        "static files by WhiteNoise (collected first when needed). docs/operations.md"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind", help=f"Address to listen on, HOST:PORT or unix:PATH (default {DEFAULT_BIND})."
        )
        parser.add_argument(
            "--workers",
            type=positive,
            help=f"Worker processes (default 2 × cores + 1 = {default_workers()} here).",
        )
        parser.add_argument(
            "--timeout",
            type=positive,
            help=f"Seconds a request may take before its worker is restarted (default {DEFAULT_TIMEOUT}).",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Do not run collectstatic, even when STATIC_ROOT is empty or out of date.",
        )
        parser.add_argument(
            "--check", action="store_true", help="Print what would run, and start nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        values = gunicorn_settings(options["bind"], options["workers"], options["timeout"])
        root = settings.STATIC_ROOT
        stale = uncollected()
        self.stdout.write(
            _("Serving %(app)s on %(bind)s with %(workers)s workers (timeout %(timeout)s s).")
            % {
                "app": APPLICATION,
                "bind": ", ".join(values["bind"]),
                "workers": values["workers"],
                "timeout": values["timeout"],
            }
        )
        if options["check"]:
            self.report_static(stale, root)
            return
        if stale and not options["no_collectstatic"]:
            self.stdout.write(
                ngettext(
                    "Collecting %(count)s static file into %(root)s.",
                    "Collecting %(count)s static files into %(root)s.",
                    len(stale),
                )
                % {"count": len(stale), "root": root}
            )
            call_command("collectstatic", interactive=False, verbosity=0)
        elif stale:
            self.report_static(stale, root)
        self.stdout.flush()
        close_connections()
        run_gunicorn(values)

    def report_static(self, stale: list[str], root: Any) -> None:
        if not stale:
            self.stdout.write(_("Static files: up to date in %(root)s.") % {"root": root})
            return
        self.stdout.write(
            ngettext(
                "Static files: %(count)s file to collect into %(root)s (qorgau collectstatic).",
                "Static files: %(count)s files to collect into %(root)s (qorgau collectstatic).",
                len(stale),
            )
            % {"count": len(stale), "root": root}
        )
