"""The command line of an execution bundle (`python main.py --help`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def parse_param(text: str) -> tuple[str, str, Any]:
    import argparse

    """`node.name=value`; the value is JSON when it parses as JSON, else a string."""
    target, sep, raw = text.partition("=")
    node_id, dot, name = target.partition(".")
    if not sep or not dot or not node_id or not name:
        raise argparse.ArgumentTypeError(f"expected node.name=value, got {text!r}")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return node_id, name, value


def parse_input(text: str) -> tuple[str, str]:
    """`name=value`: a pipeline input and what it gives (a path, or a JSON/text value)."""
    import argparse

    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected name=value, got {text!r}")
    return name, raw


def pipeline_help(bundle_dir: Path) -> str:
    """What this bundle takes: its inputs (the static ones ship in artifacts/) and the
    parameters `--param` can override, read from pipeline.json."""
    try:
        pipeline = json.loads((bundle_dir / "pipeline.json").read_text())
    except (OSError, ValueError):
        return ""
    static = pipeline.get("static_inputs") or {}
    lines: list[str] = []
    inputs = [item for item in pipeline.get("inputs", []) if item["name"] not in static]
    if inputs:
        lines.append("inputs (--input NAME=VALUE):")
        for item in inputs:
            default = item.get("default")
            need = "required" if default is None else f"default {json.dumps(default)}"
            lines.append(f"  {item['name']:<24} {item['type']}, {need}")
    if static:
        lines.append("fixed inputs (shipped in artifacts/): " + ", ".join(sorted(static)))
    params = [(node["id"], p) for node in pipeline.get("nodes", []) for p in node["operation"]["parameters"]]
    if params:
        lines.append("parameters (--param NODE.NAME=VALUE):")
        for node_id, param in params:
            current = node_params(pipeline, node_id).get(param["name"], param.get("default"))
            lines.append(f"  {node_id + '.' + param['name']:<24} {param['type']}, now {json.dumps(current)}")
    return "\n".join(lines)


def node_params(pipeline: dict[str, Any], node_id: str) -> dict[str, Any]:
    node = next((n for n in pipeline.get("nodes", []) if n["id"] == node_id), None)
    return dict(node.get("params") or {}) if node else {}


def fast_node_args(argv: list[str]) -> dict[str, str] | None:
    """`--node ID --work-dir DIR --job FILE`, exactly as backends call it, without
    argparse (whose import is a tenth of a node's start-up); None otherwise."""
    if len(argv) != 6 or argv[0::2] != ["--node", "--work-dir", "--job"]:
        return None
    return dict(zip(("node", "work_dir", "job"), argv[1::2], strict=True))


def main(argv: list[str] | None = None, bundle_dir: Path | None = None) -> int:
    bundle_dir = bundle_dir or Path(__file__).resolve().parent.parent
    argv = sys.argv[1:] if argv is None else argv
    fast = fast_node_args(argv)
    if fast is not None:
        from .guard import die_with_parent
        from .node import main_node

        die_with_parent()
        return main_node(bundle_dir, fast["node"], Path(fast["work_dir"]).resolve(), Path(fast["job"]))

    import argparse

    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Run this Pipewright pipeline: every node in dependency order, or one node.",
        epilog=pipeline_help(bundle_dir),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--node", help="run only this node (as a compute backend does)")
    parser.add_argument(
        "--work-dir", type=Path, help="with --node: the node's work dir (default: output/<node>)"
    )
    parser.add_argument("--job", type=Path, help="with --node: job.json naming the node's input files")
    parser.add_argument(
        "--out", type=Path, default=Path("output"), help="where outputs go (default: ./output)"
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        type=parse_param,
        metavar="NODE.NAME=VALUE",
        help="override a parameter, e.g. --param train.epochs=50",
    )
    parser.add_argument(
        "--input",
        action="append",
        default=[],
        type=parse_input,
        metavar="NAME=VALUE",
        help="give a pipeline input: a path for file, directory and object inputs "
        "(--input dataset=data.csv), else a JSON value or text (--input epochs=20); "
        "inputs left out take their defaults (pipeline.json lists them)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NODE",
        help="run only these nodes (their inputs must exist in --out)",
    )
    args = parser.parse_args(argv)

    params: dict[str, dict[str, Any]] = {}
    for node_id, name, value in args.param:
        params.setdefault(node_id, {})[name] = value

    if args.node:
        from .node import main_node

        work_dir = (args.work_dir or args.out / args.node).resolve()
        job_file = args.job
        if job_file is None and params.get(args.node):
            work_dir.mkdir(parents=True, exist_ok=True)
            job_file = work_dir / "job.json"
            job_file.write_text(json.dumps({"params": params[args.node]}))
        return main_node(bundle_dir, args.node, work_dir, job_file)

    from .dag import run_all

    return run_all(bundle_dir, args.out.resolve(), params, args.only, dict(args.input))
