#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Checks --stats objects against docs/stats.schema.json (JSON Schema,
# draft 2020-12, with Debian's python3-jsonschema):
#
#   stats-schema.py SCHEMA FILE...
#
# One line per file that does not validate, naming the field at fault;
# the schema itself is checked first. Status 0 when all validate.
import json
import sys

import jsonschema


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: stats-schema.py SCHEMA FILE...")
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    validator_class = jsonschema.Draft202012Validator
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    bad = 0
    for path in sys.argv[2:]:
        try:
            with open(path) as f:
                obj = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{path}: not JSON: {e}")
            bad += 1
            continue
        error = jsonschema.exceptions.best_match(validator.iter_errors(obj))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(top)"
            print(f"{path}: {where}: {error.message}")
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
