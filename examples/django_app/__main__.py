"""`python -m examples.django_app`: serve the example on http://127.0.0.1:8000."""

from __future__ import annotations

import os
import tempfile
from wsgiref.simple_server import make_server

from examples import example_port, keycloak_base_url


def main() -> None:
    port = example_port(8000)
    with keycloak_base_url() as base_url, tempfile.TemporaryDirectory() as workdir:
        os.environ["KEYCLOAK_URL"] = base_url
        os.environ["DJANGO_EXAMPLE_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        os.environ.setdefault("DJANGO_EXAMPLE_DB", os.path.join(workdir, "db.sqlite3"))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_app.settings")
        import django
        from django.core.management import call_command
        from django.core.wsgi import get_wsgi_application

        django.setup()
        call_command("migrate", verbosity=0)
        print(f"Open http://127.0.0.1:{port}/profile and log in as alice / alice-password")
        with make_server("127.0.0.1", port, get_wsgi_application()) as server:
            server.serve_forever()


if __name__ == "__main__":
    main()
