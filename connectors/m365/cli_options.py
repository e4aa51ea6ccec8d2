"""`residency scan m365` options; parameter names equal Target.settings keys. Imports click and
the SDK-free settings module only."""

from __future__ import annotations

import click

from connectors.m365.settings import AUTH_METHODS

OPTIONS: list[click.Option] = [
    click.Option(["--tenant-id", "tenant_id"], help="Tenant GUID or verified domain."),
    click.Option(
        ["--auth", "auth"],
        type=click.Choice(AUTH_METHODS),
        help="How to authenticate (default: inferred from the other options, else azure_cli).",
    ),
    click.Option(["--client-id", "client_id"], help="Application (client) id of the scanner app."),
    click.Option(
        ["--client-secret", "client_secret"], help="Secret reference, env:NAME or file:PATH."
    ),
    click.Option(
        ["--certificate-path", "certificate_path"], help="PEM or PKCS12 file with an RSA key."
    ),
    click.Option(
        ["--certificate-password", "certificate_password"], help="Reference: env:NAME or file:PATH."
    ),
    click.Option(
        ["--access-token", "access_token"],
        help="Pre-obtained Graph access token, as a reference env:NAME or file:PATH.",
    ),
    click.Option(
        ["--federated-token-file", "federated_token_file"],
        help="Workload identity token file (default: $AZURE_FEDERATED_TOKEN_FILE).",
    ),
    click.Option(
        ["--graph-url", "graph_url"],
        help="Graph base URL, e.g. https://graph.microsoft.us/v1.0 for US Government.",
    ),
    click.Option(
        ["--login-url", "login_url"],
        help="Login authority, e.g. https://login.microsoftonline.us (also used for discovery).",
    ),
    click.Option(
        ["--ca-bundle", "ca_bundle"],
        help="PEM file of the CA(s) to trust for the login and Graph URLs (default: system).",
    ),
    click.Option(["--max-concurrency", "max_concurrency"], type=int, help="Requests in flight."),
    click.Option(["--max-retries", "max_retries"], type=int, help="Retries on 429/503/504."),
]
