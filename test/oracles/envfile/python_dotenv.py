"""Reads env-file cases the way python-dotenv does: dotenv_values(path).

stdin: a JSON object, case name -> exact file text.
stdout: a JSON object, case name -> {"vars": [[name, value], ...], "skipped": n},
in python-dotenv's order; value is null for a bare NAME line (python-dotenv's
None, which load_dotenv does not set), and "skipped" counts the statements
python-dotenv could not parse (it logs a warning and goes on). Each case is
written to a file and read from there, as python-dotenv reads it.
"""

import json
import logging
import os
import sys
import tempfile

from dotenv import dotenv_values


class Count(logging.Handler):
    def __init__(self):
        super().__init__()
        self.n = 0

    def emit(self, record):
        self.n += 1


def main():
    cases = json.load(sys.stdin)
    count = Count()
    logger = logging.getLogger("dotenv.main")
    logger.addHandler(count)
    logger.propagate = False
    out = {}
    with tempfile.TemporaryDirectory(prefix="envfile-oracle-") as tmp:
        for i, (name, text) in enumerate(cases.items()):
            path = os.path.join(tmp, f"{i}.env")
            with open(path, "wb") as f:
                f.write(text.encode("utf-8"))
            count.n = 0
            values = dotenv_values(path)
            out[name] = {"vars": [[k, v] for k, v in values.items()], "skipped": count.n}
    json.dump(out, sys.stdout, ensure_ascii=False)


main()
