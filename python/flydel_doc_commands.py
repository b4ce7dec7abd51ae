#!/usr/bin/env python3
"""Runs the shell commands of a Markdown page (docs/tutorial.md) as a user would, so the page cannot drift.

Every fenced block opened with ```sh is a list of commands, run from the root of a scratch copy of the
repository: the source tree is copied (without .git and build directories), `build` in it points to the build
directory that holds bin/ (--bin), `../shared` beside it points to the reference data (--shared), and PATH starts
with the build's bin/ and the directory of this Python interpreter (so `python3` is the one the tests use). The
commands run one after the other in that copy, so a later block sees the files an earlier one wrote.

A block that must not run (a build, a measurement campaign, a long synthesis) says so with an HTML comment on the
line before it (blank lines between are allowed), which Markdown does not render:

    <!-- not-run: REASON -->

A marker without a reason, or one that no ```sh block follows, is an error. Lines of a block are joined where they
end with a backslash; blank lines and lines that are only a comment are skipped; each remaining command runs with
`bash -o pipefail -c`. The first command that exits non-zero (or runs past --timeout seconds) stops the run: the
page's line, the command, its exit status and the end of its stderr are printed, and the exit status is 1.

usage: flydel_doc_commands.py DOC.md --src SRC --bin BIN [--shared DIR] [--timeout S] [--keep DIR] [--list]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

MARKER = re.compile(r'^\s*<!--\s*not-run\s*:(.*?)-->\s*$')
ANY_MARKER = re.compile(r'^\s*<!--\s*not-run\b')


def fail(msg):
    sys.exit("flydel_doc_commands: error: " + msg)


def parse(path):
    """Returns the page's ```sh blocks: dicts with line (of the fence), commands [(line, text)], skip (reason or None)."""
    try:
        lines = open(path, encoding="utf-8").read().split("\n")
    except OSError as e:
        fail("cannot read %s: %s" % (path, e.strerror))
    blocks, pending, i = [], None, 0
    while i < len(lines):
        line = lines[i]
        fence = re.match(r'^(\s*)(`{3,}|~{3,})\s*([\w+-]*)', line)
        if ANY_MARKER.match(line):
            m = MARKER.match(line)
            if not m or not m.group(1).strip():
                fail("%s:%d: a not-run marker needs a reason: <!-- not-run: REASON -->" % (path, i + 1))
            if pending:
                fail("%s:%d: not-run marker of line %d has no ```sh block after it" % (path, i + 1, pending[0]))
            pending = (i + 1, m.group(1).strip())
        elif fence:
            close, lang, start = fence.group(2), fence.group(3), i
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(close):
                body.append((i + 1, lines[i]))
                i += 1
            if i == len(lines):
                fail("%s:%d: code block not closed" % (path, start + 1))
            if lang == "sh":
                blocks.append({"line": start + 1, "commands": commands(body), "skip": pending[1] if pending else None})
                pending = None
            elif pending:
                fail("%s:%d: not-run marker of line %d is followed by a ```%s block, not ```sh"
                     % (path, start + 1, pending[0], lang))
        elif pending and line.strip():
            fail("%s:%d: not-run marker of line %d has no ```sh block after it" % (path, i + 1, pending[0]))
        i += 1
    if pending:
        fail("%s:%d: not-run marker has no ```sh block after it" % (path, pending[0]))
    return blocks


def commands(body):
    """Joins backslash continuations; drops blank and comment-only lines."""
    out, cur, first = [], [], None
    for number, text in body:
        if not cur and (not text.strip() or text.lstrip().startswith("#")):
            continue
        if not cur:
            first = number
        if text.rstrip().endswith("\\"):
            cur.append(text.rstrip()[:-1])
            continue
        cur.append(text)
        out.append((first, " ".join(s.strip() for s in cur)))
        cur = []
    if cur:
        out.append((first, " ".join(s.strip() for s in cur)))
    return out


def sandbox(src, build, shared, root):
    """The scratch copy: ROOT/repo (the source tree, build -> BUILD) and ROOT/shared -> SHARED."""
    def ignore(directory, names):
        skip = {".git"}
        for n in names:
            p = os.path.join(directory, n)
            if os.path.isdir(p) and os.path.isfile(os.path.join(p, "CMakeCache.txt")):
                skip.add(n)
        return skip & set(names)
    repo = os.path.join(root, "repo")
    shutil.copytree(src, repo, ignore=ignore, symlinks=True)
    link = os.path.join(repo, "build")
    if os.path.lexists(link):
        if os.path.isdir(link) and not os.path.islink(link):
            shutil.rmtree(link)
        else:
            os.remove(link)
    os.symlink(os.path.abspath(build), link)
    if shared:
        os.symlink(os.path.abspath(shared), os.path.join(root, "shared"))
    return repo


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("doc", help="the Markdown page")
    ap.add_argument("--src", help="the repository root the page's paths refer to")
    ap.add_argument("--bin", help="the build's bin/ directory (the copy's build/ points to its parent)")
    ap.add_argument("--shared", help="the reference data (../shared of the copy)")
    # Sanitizer builds run the tools several times slower: they raise the default through the environment.
    default_timeout = float(os.environ.get("FLYDEL_DOC_TIMEOUT_S", "120"))
    ap.add_argument("--timeout", type=float, default=default_timeout,
                    help="seconds a command may run (default 120, or $FLYDEL_DOC_TIMEOUT_S)")
    ap.add_argument("--keep", help="run in this (new or empty) directory and keep it, instead of a temporary one")
    ap.add_argument("--list", action="store_true", help="print the commands and the blocks not run; run nothing")
    args = ap.parse_args()

    blocks = parse(args.doc)
    name = os.path.relpath(args.doc, args.src) if args.src else args.doc
    if args.list:
        for b in blocks:
            for line, cmd in b["commands"]:
                print("%s %s:%d: %s" % ("skip" if b["skip"] else "run ", name, line, cmd))
        return 0
    if not args.src or not args.bin:
        fail("--src and --bin are needed to run the commands")
    for tool in ("flydel-opt", "flydel-translate"):
        if not os.access(os.path.join(args.bin, tool), os.X_OK):
            fail("no %s in %s (build first)" % (tool, args.bin))
    if args.shared and not os.path.isdir(args.shared):
        fail("no reference data directory %s" % args.shared)

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        if os.listdir(args.keep):
            fail("--keep %s is not empty" % args.keep)
        root, cleanup = os.path.abspath(args.keep), None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="flydel-doc-")
        root = cleanup.name
    repo = sandbox(args.src, os.path.dirname(os.path.abspath(args.bin)), args.shared, root)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.join(repo, "build", "bin"), os.path.dirname(sys.executable),
                                   env.get("PATH", "")])
    ran, skipped, total = 0, [], time.time()
    for b in blocks:
        if b["skip"]:
            skipped.append(b)
            continue
        for line, cmd in b["commands"]:
            start = time.time()
            try:
                proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=repo, env=env, capture_output=True,
                                      text=True, errors="replace", timeout=args.timeout)
                status = proc.returncode
                stderr = proc.stderr
            except subprocess.TimeoutExpired as e:
                status = "timeout after %g s" % args.timeout
                stderr = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
            if status != 0:
                print("FAIL %s:%d: %s" % (name, line, cmd))
                print("exit status: %s (ran in %s)" % (status, repo))
                tail = stderr[-3000:]
                print("stderr%s:\n%s" % (" (last 3000 characters)" if len(stderr) > 3000 else "", tail.rstrip()))
                sys.stdout.flush()
                if cleanup:
                    cleanup.cleanup()
                return 1
            ran += 1
            print("ok   %s:%d: %s (%.1f s)" % (name, line, cmd, time.time() - start))
    for b in skipped:
        print("not run %s:%d (%d command(s)): %s" % (name, b["line"], len(b["commands"]), b["skip"]))
    print("%d command(s) ran, %d block(s) not run, %.0f s" % (ran, len(skipped), time.time() - total))
    if cleanup:
        cleanup.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
