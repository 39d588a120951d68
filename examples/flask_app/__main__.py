"""`python -m examples.flask_app`: serve the example on http://127.0.0.1:8000."""

from __future__ import annotations

from examples import example_port, example_settings, keycloak_base_url
from examples.flask_app.app import create_app


def main() -> None:
    port = example_port(8000)
    with keycloak_base_url() as base_url:
        app = create_app(example_settings(base_url), public_url=f"http://127.0.0.1:{port}")
        print(f"Open http://127.0.0.1:{port}/profile and log in as alice / alice-password")
        app.run(host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
