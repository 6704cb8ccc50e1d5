# Metadata and packages are in pyproject.toml; scrapyd-deploy builds its egg through setup.py.
from setuptools import setup

setup()
