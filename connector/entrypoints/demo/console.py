"""``pix-imilo demo --console``: after the demo's runs, its console with a local test
identity provider, so that a newcomer can sign in as a counsellor and work the review queue.
"""

from __future__ import annotations

import secrets
import threading
from contextlib import suppress

from connector.console.settings import load_console_settings
from connector.entrypoints.console_cli import serving_console
from connector.entrypoints.serving import running
from connector.metrics import Metrics
from connector.settings import Settings
from connector.simulators.oidc import DemoUser, create_oidc_app
from connector.store.sql import SqlStateStore

__all__ = ["DEMO_USERS", "serve_demo_console"]

_CLIENT_ID = "pix-imilo-demo-console"

# The demo's console.yaml lists these e-mails.
DEMO_USERS = (
    DemoUser(
        "demo-conseillere-paris",
        "conseillere.75010s00@demo.fr",
        "Camille, conseillère (75010S00, Paris)",
    ),
    DemoUser(
        "demo-conseillere-reunion",
        "conseillere.97411s00@demo.fr",
        "Noé, conseiller (97411S00, Nord Réunion)",
    ),
    DemoUser("demo-admin", "admin@demo.fr", "Dominique, administratrice (toutes les structures)"),
)


def serve_demo_console(settings: Settings, port: int) -> int:
    """Serve the console on ``port`` until Ctrl-C, signed in through the test provider."""
    client_secret = secrets.token_urlsafe(24)
    provider = create_oidc_app(DEMO_USERS, client_id=_CLIENT_ID, client_secret=client_secret)
    stop = threading.Event()
    with running(provider, host="127.0.0.1") as issuer:
        console = load_console_settings(
            CONNECTOR_CONSOLE_PORT=port,
            CONNECTOR_HTTP_HOST="127.0.0.1",
            CONNECTOR_PUBLIC_URL=f"http://localhost:{port}",
            CONNECTOR_OIDC_ISSUER=issuer,
            CONNECTOR_OIDC_CLIENT_ID=_CLIENT_ID,
            CONNECTOR_OIDC_CLIENT_SECRET=client_secret,
            CONNECTOR_SESSION_SECRET=secrets.token_urlsafe(48),
        )
        store = SqlStateStore.open(settings.database_url, migrate=False)
        try:
            with serving_console(settings, console, store, Metrics(), stop):
                print(
                    f"\nThe console: {console.base_url}  (a test identity provider signs you "
                    "in; pick a user):"
                )
                for user in DEMO_USERS:
                    print(f"  - {user.name}")
                print("Ctrl-C stops the demo.")
                with suppress(KeyboardInterrupt):
                    while not stop.wait(0.5):
                        pass
        finally:
            store.close()
    return 0
