#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Validates a LAVA job with the schema Debian's lava-common ships
# (lava_common.schemas.validate, strict), and a test definition with its
# test definition schema. Prints one line per file; status 1 on the
# first that does not validate.
#
# Usage: validate.py --job JOB.yaml --testdef TESTDEF.yaml
import argparse
import sys

import yaml
from lava_common.schemas import validate
from lava_common.schemas.test.testdef import testdef
from voluptuous import Invalid, Schema


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--job", required=True)
    parser.add_argument("--testdef", required=True)
    args = parser.parse_args()
    try:
        with open(args.job) as f:
            validate(yaml.safe_load(f), strict=True)
        print(f"{args.job}: a valid LAVA job (strict)")
        with open(args.testdef) as f:
            Schema(testdef(), extra=False)(yaml.safe_load(f))
        print(f"{args.testdef}: a valid LAVA test definition")
    except (Invalid, yaml.YAMLError, OSError) as exc:
        print(f"lava: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
