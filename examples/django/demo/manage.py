#!/usr/bin/env python3
"""The demo project's manage.py: python3 manage.py migrate, runserver, ..."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# httpcheck_contract lives one directory up, beside this project.
sys.path.insert(0, os.path.dirname(HERE))

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
