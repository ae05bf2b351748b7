#!/usr/bin/env python3
"""Writes model.json (to stdout): the request shapes of the Step Functions API
from botocore's service model, trimmed to what ValidateRequest checks.

    python3 internal/sfn/testdata/genmodel.py > internal/sfn/model.json

TestModelMatchesBotocore runs it and compares, where botocore is installed.
"""
import gzip
import json
import os
import sys

import botocore

path = os.path.join(os.path.dirname(botocore.__file__), "data", "stepfunctions", "2016-11-23", "service-2.json.gz")
with gzip.open(path) as f:
    model = json.load(f)
shapes = model["shapes"]
out_shapes = {}


def walk(name):
    if name in out_shapes:
        return
    s = shapes[name]
    o = {"type": s["type"]}
    out_shapes[name] = o
    for k in ("min", "max", "enum", "pattern", "sensitive"):
        if k in s:
            o[k] = s[k]
    if s["type"] == "structure":
        o["members"] = [{"name": m, "shape": r["shape"]} for m, r in s["members"].items()]
        if s.get("required"):
            o["required"] = s["required"]
        for r in s["members"].values():
            walk(r["shape"])
    for k in ("member", "key", "value"):
        if k in s:
            o[k] = s[k]["shape"]
            walk(s[k]["shape"])


operations = {}
for op in sorted(model["operations"]):
    inp = model["operations"][op].get("input")
    if inp:
        operations[op] = inp["shape"]
        walk(inp["shape"])
json.dump({"version": model["metadata"]["apiVersion"], "operations": operations,
           "shapes": dict(sorted(out_shapes.items()))}, sys.stdout, indent=1, sort_keys=False)
sys.stdout.write("\n")
