"""``residency worker``: a Celery worker that collects targets queued by ``scan --broker``."""

from __future__ import annotations

import click

from core.secrets import REFERENCE, resolve_secret


def resolve_broker(value: str) -> str:
    """A broker URL, or a reference to one (its password stays out of the command line)."""
    if REFERENCE.match(value):
        return resolve_secret(value, where="--broker").reveal()
    return value


@click.command(name="worker")
@click.option(
    "--broker", required=True, metavar="URL", help="redis://HOST:PORT/DB, or env:NAME holding it."
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=512),
    default=8,
    show_default=True,
    help="Targets collected at once by this worker (threads).",
)
@click.option(
    "--visibility-timeout",
    type=click.IntRange(min=1),
    default=3600,
    show_default=True,
    help="Seconds after which a task whose worker died is given to another worker; longer "
    "than the slowest target's scan.",
)
@click.option("--name", help="Worker name [default: residency-PID@HOST].")
def worker_command(
    broker: str, concurrency: int, visibility_timeout: int, name: str | None
) -> None:
    """Collect the targets a `scan --config FILE --broker URL` run queues, until stopped.

    Secret references in the targets (env:NAME, file:PATH) are resolved here, from this
    worker's own environment: they never travel through the broker. Run as many workers, on as
    many machines, as the clients need."""
    from scanner.engines.distributed import run_worker

    run_worker(resolve_broker(broker), concurrency, visibility_timeout, name)
