#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""promcheck.py - a strict check of the Prometheus text exposition format (version 0.0.4).

usage: promcheck.py FILE|-      check, then print every sample as JSON {"name{labels}": value}
Exit status 1 with the offending line when a rule is broken. The rules checked, beyond what
prometheus_client's own (lenient) parser accepts, which is run too:
  - every line is a HELP, TYPE or sample line; the text ends with a newline; no blank lines;
  - metric and label names match [a-zA-Z_:][a-zA-Z0-9_:]* and [a-zA-Z_][a-zA-Z0-9_]*;
  - label values are quoted with only \\\\, \\" and \\n escapes; no label name twice in a sample;
  - each family has exactly one HELP and one TYPE, HELP first, both before its samples, and its
    samples are contiguous; a counter's name ends in _total; types are counter or gauge;
  - values are floats; no series (name and label set) appears twice.
"""
import json
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE_RE = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]?Inf|NaN")


def fail(n, line, why):
    print("promcheck: line %d: %s: %r" % (n, why, line), file=sys.stderr)
    sys.exit(1)


def parse_labels(n, line, s):
    """s starts after '{'; returns (labels dict, rest after '}')."""
    labels = {}
    i = 0
    while True:
        if s[i:i + 1] == "}":
            return labels, s[i + 1:]
        m = re.match(LABEL, s[i:])
        if not m:
            fail(n, line, "bad label name")
        name = m.group(0)
        i += len(name)
        if s[i:i + 2] != '="':
            fail(n, line, "expected =\" after label name")
        i += 2
        val = []
        while True:
            if i >= len(s):
                fail(n, line, "unterminated label value")
            c = s[i]
            if c == "\\":
                e = s[i + 1:i + 2]
                if e not in ("\\", '"', "n"):
                    fail(n, line, "bad escape in label value")
                val.append({"n": "\n"}.get(e, e))
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                fail(n, line, "newline in label value")
            else:
                val.append(c)
                i += 1
        if name in labels:
            fail(n, line, "label %s twice" % name)
        labels[name] = "".join(val)
        if s[i:i + 1] == ",":
            i += 1
        elif s[i:i + 1] != "}":
            fail(n, line, "expected , or } after label value")


def check(text):
    if not text.endswith("\n"):
        fail(0, text[-40:], "the text does not end with a newline")
    families = {}  # name -> {"help", "type", "done"}
    current = None
    samples = {}
    for n, line in enumerate(text[:-1].split("\n"), 1):
        if not line:
            fail(n, line, "blank line")
        if line.startswith("#"):
            m = re.fullmatch(r"# (HELP|TYPE) (%s) (.*)" % NAME, line)
            if not m:
                fail(n, line, "a comment that is neither HELP nor TYPE")
            kind, name, rest = m.groups()
            f = families.setdefault(name, {"help": None, "type": None, "samples": 0})
            if f["samples"]:
                fail(n, line, "%s after the family's samples" % kind)
            if kind == "HELP":
                if f["help"] is not None or f["type"] is not None:
                    fail(n, line, "HELP twice, or after TYPE")
                if not rest:
                    fail(n, line, "empty HELP")
                f["help"] = rest
            else:
                if f["help"] is None or f["type"] is not None:
                    fail(n, line, "TYPE without HELP first, or twice")
                if rest not in ("counter", "gauge"):
                    fail(n, line, "type %s" % rest)
                if rest == "counter" and not name.endswith("_total"):
                    fail(n, line, "a counter's name must end in _total")
                f["type"] = rest
            if current and current != name:
                families[current]["closed"] = True
            current = name
            continue
        m = re.match(NAME, line)
        if not m:
            fail(n, line, "bad metric name")
        name = m.group(0)
        rest = line[len(name):]
        labels = {}
        if rest.startswith("{"):
            labels, rest = parse_labels(n, line, rest[1:])
        if not rest.startswith(" "):
            fail(n, line, "expected a space before the value")
        parts = rest[1:].split(" ")
        if len(parts) not in (1, 2) or not VALUE_RE.fullmatch(parts[0]):
            fail(n, line, "bad value (or timestamp)")
        f = families.get(name)
        if not f or f["type"] is None:
            fail(n, line, "sample before its family's HELP and TYPE")
        if name != current or f.get("closed"):
            fail(n, line, "the family's samples are not contiguous")
        f["samples"] += 1
        key = name + ("{" + ",".join('%s="%s"' % (k, labels[k]) for k in sorted(labels)) + "}"
                      if labels else "")
        if key in samples:
            fail(n, line, "series twice")
        samples[key] = float(parts[0])
    for name, f in families.items():
        if not f["samples"]:
            fail(0, name, "a family without samples")
    return samples


def main():
    text = sys.stdin.read() if sys.argv[1] == "-" else open(sys.argv[1]).read()
    samples = check(text)
    # The reference parser must agree on every sample.
    from prometheus_client.parser import text_string_to_metric_families
    ref = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            key = s.name + ("{" + ",".join('%s="%s"' % (k, s.labels[k])
                                           for k in sorted(s.labels)) + "}" if s.labels else "")
            ref[key] = s.value
    if ref != samples:
        print("promcheck: prometheus_client reads other samples: %s" %
              sorted(set(ref.items()) ^ set(samples.items()))[:10], file=sys.stderr)
        sys.exit(1)
    json.dump(samples, sys.stdout, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
