#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# The results of a lava-run job, from the log it wrote on stderr: one
# YAML mapping per line, of which those at level "results" are results.
# Prints one line per test case, "CASE RESULT [MEASUREMENT UNITS]", for
# the test definition named, then "job RESULT [ERROR_TYPE: MESSAGE]"
# from LAVA's own record of the job.
#
# Usage: results.py LOG DEFINITION
import sys

import yaml

log, definition = sys.argv[1], sys.argv[2]
job = None
with open(log, encoding="utf-8", errors="replace") as f:
    for line in f:
        try:
            record = yaml.load(line, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            continue
        if not isinstance(record, dict) or record.get("lvl") != "results":
            continue
        msg = record.get("msg") or {}
        if msg.get("definition") == "lava" and msg.get("case") == "job":
            job = msg
        # LAVA numbers the definitions it runs: 0_lkvm-rcar-boots.
        elif str(msg.get("definition", "")).split("_", 1)[-1] == definition:
            words = [msg["case"], msg["result"]]
            if "measurement" in msg:
                words += [str(msg["measurement"]), str(msg.get("units", ""))]
            print(" ".join(words))
if job is None:
    print("job none lava-run wrote no result for the job")
elif job.get("result") == "pass":
    print("job pass")
else:
    print("job %s %s: %s" % (job.get("result"), job.get("error_type"), job.get("error_msg")))
