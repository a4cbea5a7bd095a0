# Copyright 2026 The zds authors
# SPDX-License-Identifier: Apache-2.0
"""Checks the Python example against the generated Python SDK without the
pulumi package (there is no PyPI here): every class the example calls
exists in pulumi_zds, and every keyword argument it passes is a parameter
of that class's constructor, required ones included. A typo such as
healthcheck= instead of health_check= fails here."""

import ast
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parents[2]
sdk = root / "sdk" / "python" / "pulumi_zds"


def constructors():
    """Class name -> (keyword parameters, required ones) of every class
    the SDK defines (the component's own constructor is _internal_init's
    keywords plus the resource name)."""
    out = {}
    for path in sdk.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            for fn in node.body:
                if isinstance(fn, ast.FunctionDef) and fn.name in ("__init__", "_internal_init"):
                    params = [a.arg for a in fn.args.kwonlyargs] + [a.arg for a in fn.args.args[1:]]
                    defaults = fn.args.kw_defaults
                    required = {a.arg for a, d in zip(fn.args.kwonlyargs, defaults) if d is None}
                    if params and (node.name not in out or fn.name == "__init__" and len(params) > len(out[node.name][0])):
                        out[node.name] = (set(params), required)
    return out


def main():
    classes = constructors()
    if "ZeroDowntimeService" not in classes or "AppArgs" not in classes:
        sys.exit("check_python: the SDK defines no ZeroDowntimeService or AppArgs")
    example = root / "examples" / "python" / "__main__.py"
    tree = ast.parse(example.read_text(), str(example))
    problems, calls = [], 0
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "zds"):
            continue
        calls += 1
        name = node.func.attr
        if name not in classes:
            problems.append(f"{example.name}:{node.lineno}: pulumi_zds has no {name}")
            continue
        params, required = classes[name]
        passed = {k.arg for k in node.keywords}
        for k in sorted(passed - params):
            problems.append(f"{example.name}:{node.lineno}: {name} takes no {k}= (it takes {', '.join(sorted(params))})")
        for k in sorted(required - passed - {"resource_name", "opts"}):
            problems.append(f"{example.name}:{node.lineno}: {name} needs {k}=")
    if calls < 4:
        problems.append(f"{example.name}: only {calls} calls of pulumi_zds found")
    if problems:
        sys.exit("\n".join(problems))
    print(f"check_python: {calls} calls of pulumi_zds in examples/python match the SDK")


main()
