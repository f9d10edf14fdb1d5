#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# mkman.py - the man page from its one source: a small Markdown subset to man(7) troff.
#
# usage: tools/mkman.py doc/tflow.8.md > build/tflow.8
#
# The subset (what doc/tflow.8.md uses, and nothing else, so the output stays predictable):
#   % NAME(SECTION) | SOURCE | MANUAL                   first line: the .TH title line
#   # NAME, then "name - description"                   the NAME line whatis(1) reads
#   # HEADING / ## Subheading                           .SH / .SS
#   a paragraph (lines until a blank line)              .PP
#   TERM newline ":   definition" (further lines         .TP (pandoc's definition lists)
#     indented by 4 spaces)
#   "- item" (further lines indented by 2)             .IP \(bu 2
#   ``` fenced code ```                                .nf/.fi, indented
#   `code` *italic* **bold**                           \fB \fI \fB
# Inside code and definition terms every '-' becomes '\-', the ASCII minus a reader can copy
# into a shell; in prose '-' stays a hyphen. Anything else is an error, not a guess.
import re
import sys


def die(path, lineno, msg):
    sys.exit(f"{path}:{lineno}: {msg}")


# The few non-ASCII characters the source may use, as troff's own glyph names.
GLYPHS = {"\u2014": "\\(em", "\u2013": "\\(en", "\u2026": "\\&...", "\u2192": "\\(->"}


def escape(text, minus=False):
    """Escape troff's own characters in plain text; minus: '-' as the ASCII minus."""
    text = text.replace("\\", "\\e")
    if minus:
        text = text.replace("-", "\\-")
    for ch, glyph in GLYPHS.items():
        text = text.replace(ch, glyph)
    bad = [ch for ch in text if ord(ch) > 127]
    if bad:
        raise ValueError("non-ASCII character %r (add it to GLYPHS)" % bad[0])
    return text


def code(text):
    return escape(text, minus=True)


INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\*([^*]+)\*")


def inline(text, term=False):
    """Inline markup to font escapes; a term's plain text is code-escaped too."""
    plain = code if term else escape
    out, pos = [], 0
    for m in INLINE.finditer(text):
        out.append(plain(text[pos : m.start()]))
        if m.group(1) is not None:
            out.append("\\fB" + code(m.group(1)) + "\\fR")
        elif m.group(2) is not None:
            out.append("\\fB" + plain(m.group(2)) + "\\fR")
        else:
            out.append("\\fI" + plain(m.group(3)) + "\\fR")
        pos = m.end()
    out.append(plain(text[pos:]))
    line = "".join(out)
    if "`" in text[pos:] or "*" in re.sub(INLINE, "", text):
        raise ValueError("unbalanced ` or * in: " + text)
    return line


def emit(out, text):
    """A text line must not start with a control character ('.' or "'")."""
    if text.startswith((".", "'")):
        text = "\\&" + text
    out.append(text)


def convert(path, lines):
    out = []
    i = 0
    m = re.match(r"^% (\S+)\((\d)\) \| ([^|]*) \| (.*)$", lines[0]) if lines else None
    if not m:
        die(path, 1, "the first line must be '% NAME(SECTION) | SOURCE | MANUAL'")
    out.append(f'.TH "{m.group(1).upper()}" "{m.group(2)}" "" "{m.group(3)}" "{m.group(4)}"')
    # No hyphenation: an option name broken at a line end could not be copied or searched for.
    out.append(".nh")
    i = 1
    para = False  # inside a paragraph: the next text line continues it
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        try:
            if not line.strip():
                para = False
                i += 1
            elif line.startswith("```"):
                out += [".PP", ".RS 4", ".nf"]
                i += 1
                while i < len(lines) and not lines[i].startswith("```"):
                    emit(out, code(lines[i]))
                    i += 1
                if i == len(lines):
                    die(path, lineno, "code block not closed")
                out += [".fi", ".RE"]
                para = False
                i += 1
            elif line.startswith("## "):
                out.append(".SS " + inline(line[3:]))
                para = False
                i += 1
            elif line.startswith("# "):
                out.append(".SH " + line[2:].upper())
                para = False
                i += 1
                # NAME's "name - what it is": the dash is the one whatis(1) and apropos read.
                if line == "# NAME":
                    while i < len(lines) and not lines[i].strip():
                        i += 1
                    name, sep, what = lines[i].partition(" - ")
                    if not sep:
                        die(path, i + 1, "NAME must read 'name - description'")
                    out.append(escape(name) + " \\- " + escape(what))
                    i += 1
            elif line.startswith("- "):
                out.append(".IP \\(bu 2")
                emit(out, inline(line[2:]))
                i += 1
                while i < len(lines) and lines[i].startswith("  ") and lines[i].strip():
                    emit(out, inline(lines[i].strip()))
                    i += 1
                para = True
            elif i + 1 < len(lines) and lines[i + 1].startswith(":   "):
                out.append(".TP")
                emit(out, inline(line, term=True))
                i += 1
                emit(out, inline(lines[i][4:]))
                i += 1
                while i < len(lines) and lines[i].startswith("    ") and lines[i].strip():
                    emit(out, inline(lines[i].strip()))
                    i += 1
                para = True
            elif line.startswith((" ", "\t", ":", "#", "|", ">")):
                die(path, lineno, "not in the supported subset: " + line)
            else:
                if not para:
                    out.append(".PP")
                    para = True
                emit(out, inline(line))
                i += 1
        except ValueError as e:
            die(path, lineno, str(e))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: mkman.py SOURCE.md > PAGE")
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out = convert(path, lines)
    sys.stdout.write("\n".join(out) + "\n")


main()
