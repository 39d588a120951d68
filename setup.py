"""Maps two folders into one import tree: keycloak_sdk/ (generated) and extensions/
(handwritten) become keycloak_sdk and keycloak_sdk.extensions, for wheels and editable installs.
"""

from setuptools import find_packages, setup

generated = find_packages(include=["keycloak_sdk", "keycloak_sdk.*"])
handwritten = ["keycloak_sdk.extensions"] + [
    f"keycloak_sdk.extensions.{name}" for name in find_packages("extensions")
]

setup(
    packages=generated + handwritten,
    package_dir={"keycloak_sdk.extensions": "extensions"},
)
