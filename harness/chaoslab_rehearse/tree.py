"""The generated tree: its resources, locals and variables read from HCL, and the Terraform
that evaluates its functions (templatefile, jsonencode, file)."""

import os
import re
import shutil
from pathlib import Path

from .base import Failure

def hcl_string(raw):
    """The value of a quoted HCL string literal as python-hcl2 hands it over."""
    if not (isinstance(raw, str) and len(raw) >= 2 and raw[0] == raw[-1] == '"'):
        raise Failure(f"not a string literal: {raw!r}")
    body, out, i = raw[1:-1], [], 0
    escapes = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(body):
        c = body[i]
        if c == "\\":
            n = body[i + 1]
            if n == "u":
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(escapes[n])
            i += 2
            continue
        if body.startswith("$${", i) or body.startswith("%%{", i):
            out.append(body[i + 1 : i + 3])
            i += 3
            continue
        out.append(c)
        i += 1
    return "".join(out)


class Tree:
    """The resources, locals and variables of a generated lab, and what they evaluate to."""

    def __init__(self, lab_dir, standins):
        import hcl2  # from the rehearsal venv

        self.dir = Path(lab_dir)
        self.resources, self.locals, self.variables = {}, {}, {}
        for tf in sorted(self.dir.glob("*.tf")):
            with open(tf, encoding="utf-8") as f:
                doc = hcl2.load(f)
            for group in doc.get("resource", []):
                for rtype, named in group.items():
                    for name, body in named.items():
                        self.resources[(rtype.strip('"'), name.strip('"'))] = body
            for group in doc.get("locals", []):
                self.locals.update({k: v for k, v in group.items() if k != "__is_block__"})
            for group in doc.get("variable", []):
                for name, body in group.items():
                    self.variables[name.strip('"')] = body
        self.standins = standins

    def resource(self, rtype, name):
        try:
            return self.resources[(rtype, name)]
        except KeyError:
            raise Failure(f"the tree has no {rtype}.{name}") from None

    def of_type(self, rtype):
        return {n: b for (t, n), b in self.resources.items() if t == rtype}

    def ref(self, expr):
        """A traversal: var.x, data.X.Y.attr, TYPE.NAME.attr (a literal argument or a stand-in)."""
        parts = expr.split(".")
        if parts[0] == "var":
            return self.value(self.variables[parts[1]]["default"])
        if parts[0] == "data":
            key = ".".join(parts[1:])
            if key in self.standins:
                return self.standins[key]
            raise Failure(f"no stand-in for data.{key}")
        if parts[0] == "local":
            return self.value(self.locals[parts[1]])
        rtype, name, attr = parts[0], parts[1], ".".join(parts[2:])
        body = self.resource(rtype, name)
        if attr in body and not isinstance(body[attr], (dict, list)):
            return self.value(body[attr])
        key = f"{rtype}.{attr}"
        if key in self.standins:
            return self.standins[key]
        raise Failure(f"no stand-in for {expr} (a value known only after apply)")

    def value(self, v):
        if isinstance(v, dict):
            return {
                (hcl_string(k) if k.startswith('"') else k): self.value(x)
                for k, x in v.items()
                if k != "__is_block__"
            }
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if not isinstance(v, str):
            return v
        m = re.fullmatch(r"\$\{(?:one\()?([A-Za-z0-9_.\[\]*]+)\)?\}", v)
        if m:
            return self.ref(m.group(1))
        text = hcl_string(v)
        return re.sub(r"\$\{([A-Za-z0-9_.]+)\}", lambda m: str(self.ref(m.group(1))), text)


def terraform():
    """The Terraform that evaluates the tree's functions: $TERRAFORM, else the one the test
    suite evaluates trees with ($CHAOSLAB_TERRAFORM_EVAL, else `terraform` on PATH, which
    scripts/install-terraform checks against the trees' required_version)."""
    tf = (os.environ.get("TERRAFORM") or os.environ.get("CHAOSLAB_TERRAFORM_EVAL")
          or shutil.which("terraform"))
    if not tf or not Path(tf).exists():
        raise Failure("no terraform to evaluate the tree with: put one that satisfies the trees' "
                      "required_version on PATH (scripts/install-terraform checks it)")
    return tf


def hcl_call_after(text, marker):
    """The call expression that follows `marker` in HCL text, up to its closing parenthesis
    (strings skipped, so a parenthesis inside one does not count)."""
    start = text.find(marker)
    if start < 0:
        raise Failure(f"no `{marker.strip()}` in the tree")
    i, depth, in_str = start + len(marker), 0, False
    begin = i
    while i < len(text):
        c = text[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return text[begin:i + 1]
        i += 1
    raise Failure(f"unbalanced expression after `{marker.strip()}`")
