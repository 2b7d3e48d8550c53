#!/usr/bin/env python3
"""Builds the seed corpus of one fuzz target from the package's fixtures, the strings in its
tests and ../shared/corpus (when present). Usage: seeds.py TARGET OUTPUT_DIR (run from the
package root). Seeds are named by content hash, so rebuilding is idempotent."""
import glob
import hashlib
import os
import re
import struct
import sys

MAX_SEED = 64 * 1024  # larger files slow every execution and add little coverage


def files(patterns):
    for pattern in patterns:
        for path in sorted(glob.glob(pattern, recursive=True)):
            if os.path.isfile(path):
                with open(path, "rb") as handle:
                    yield handle.read()


def test_strings(patterns, must_contain):
    """Multi-line string literals (\"\"\"...\"\"\") in Swift test files, indentation removed."""
    for source in files(patterns):
        for match in re.finditer(rb'"""\n(.*?)\n([ \t]*)"""', source, re.S):
            body, indent = match.group(1), match.group(2)
            lines = [line[len(indent):] if line.startswith(indent) else line for line in body.split(b"\n")]
            text = b"\n".join(lines) + b"\n"
            if must_contain(text):
                yield text
        # One-line literals with escaped line breaks: "a: 1\nb: 2\n".
        for match in re.finditer(rb'"((?:[^"\\\n]|\\.)*\\n(?:[^"\\\n]|\\.)*)"', source):
            text = match.group(1)
            for escape, byte in ((rb"\n", b"\n"), (rb"\t", b"\t"), (rb'\"', b'"'), (rb"\\", b"\\")):
                text = text.replace(escape, byte)
            if must_contain(text):
                yield text


def name(labels):
    return b"".join(bytes([len(label)]) + label for label in labels.split(b".") if label) + b"\0"


def record(owner, rtype, rdata, ttl=300):
    return owner + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata


def dns_messages():
    """Hand-built messages: a query, a response with every common type and compression, an
    UPDATE, a truncated and a compression-loop message."""
    header = lambda ident, flags, qd, an, ns, ar: struct.pack(">HHHHHH", ident, flags, qd, an, ns, ar)
    question = name(b"www.example.test") + struct.pack(">HH", 1, 1)
    yield header(1, 0x0100, 1, 0, 0, 0) + question
    pointer = b"\xc0\x0c"
    answers = [
        record(pointer, 1, bytes([192, 0, 2, 1])),
        record(pointer, 28, bytes.fromhex("20010db8000000000000000000000001")),
        record(pointer, 5, name(b"alias.example.test")),
        record(pointer, 16, b"\x05hello\x05world"),
        record(pointer, 15, b"\x00\x0a" + pointer),
        record(pointer, 6, name(b"ns1.example.test") + name(b"admin.example.test") + struct.pack(">IIIII", 1, 2, 3, 4, 5)),
        record(pointer, 65280, b"\x01\x02\x03"),
    ]
    yield header(2, 0x8180, 1, len(answers), 0, 0) + question + b"".join(answers)
    zone = name(b"example.test") + struct.pack(">HH", 6, 1)
    update = record(name(b"www.example.test"), 1, bytes([192, 0, 2, 2]))
    delete = name(b"old.example.test") + struct.pack(">HHIH", 255, 255, 0, 0)
    yield header(3, 0x2800, 1, 0, 2, 0) + zone + update + delete
    yield header(4, 0x8380, 1, 1, 0, 0) + question
    yield header(5, 0x8180, 1, 1, 0, 0) + b"\xc0\x0c" + struct.pack(">HH", 1, 1)


def seeds(target):
    if target in ("yaml", "desired-state"):
        yield from files(["desired-state/**/*.yaml", "desired-state/**/*.yml", "example/**/*.yaml", "Tests/**/*.yaml"])
        yield from test_strings(["Tests/StrictYAMLTests/*.swift", "Tests/DesiredStateTests/*.swift"], lambda t: b":" in t)
    elif target in ("nginx-parse", "nginx-edit"):
        yield from files(["example/nginx/**/*", "../shared/corpus/nginx/**/*"])
        yield from test_strings(["Tests/NginxTests/**/*.swift", "Tests/ReconcilerTests/*.swift"], lambda t: b";" in t)
    elif target == "zone-file":
        yield from files(["Tests/DNSTests/Fixtures/zones/*", "example/zones/*"])
        yield from test_strings(["Tests/DNSTests/*.swift"], lambda t: b"SOA" in t)
    elif target == "dns-message":
        yield from dns_messages()
    else:
        sys.exit(f"unknown fuzz target {target!r}")


def main():
    target, output = sys.argv[1], sys.argv[2]
    os.makedirs(output, exist_ok=True)
    count = 0
    for seed in seeds(target):
        if 0 < len(seed) <= MAX_SEED:
            with open(os.path.join(output, hashlib.sha1(seed).hexdigest()), "wb") as handle:
                handle.write(seed)
            count += 1
    print(f"{target}: {count} seeds in {output}")


if __name__ == "__main__":
    main()
