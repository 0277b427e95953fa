#!/usr/bin/env python3
"""xl-shell-pty.py - `xl shell` on a terminal: readline's tab completion
of command names and options (and, with --domain NAME, of a running
domain's name), history kept in $XL_HISTORY and recalled by the next
shell, quit.  Drives the shell through a pseudo-terminal; prints TAP.

usage: xl-shell-pty.py XL CONFIG_FILE [--domain NAME]
"""
import os
import pty
import select
import sys
import tempfile
import time

XL = sys.argv[1]
CFG = sys.argv[2]
DOMAIN = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--domain" else None

n = 0
failed = 0


def result(good, name, detail=""):
    global n, failed
    n += 1
    if good:
        print("ok %d - %s" % (n, name))
    else:
        failed += 1
        print("not ok %d - %s" % (n, name))
        for line in detail.splitlines()[-15:]:
            print("# " + line)
    sys.stdout.flush()


class Shell:
    def __init__(self, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(XL, [XL, "shell"], env)
        self.out = b""

    def read_until(self, want, timeout=60.0):
        """Read until `want` (bytes) has appeared; True if it did."""
        end = time.time() + timeout
        while want not in self.out:
            left = end - time.time()
            if left <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return False
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                return want in self.out
            if not data:
                return want in self.out
            self.out += data
        return True

    def send(self, s):
        os.write(self.fd, s.encode())

    def mark(self):
        """Forget what was read so far, so the next read_until looks only
        at what comes after."""
        self.out = b""

    def wait(self, timeout=60.0):
        end = time.time() + timeout
        while time.time() < end:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(st)
            try:
                r, _, _ = select.select([self.fd], [], [], 0.2)
                if r:
                    self.out += os.read(self.fd, 4096)
            except OSError:
                time.sleep(0.1)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        return None


def main():
    tmp = tempfile.mkdtemp()
    hist = os.path.join(tmp, "history")
    env = dict(os.environ, XL_HISTORY=hist, TERM="dumb",
               LIGHTSTACK_XL_CONF=os.path.join(tmp, "no-xl.conf"),
               INPUTRC=os.path.join(tmp, "no-inputrc"))
    plan = 8 + (1 if DOMAIN else 0)
    print("1..%d" % plan)

    sh = Shell(env)
    result(sh.read_until(b"xl> "), "the shell prompts on a terminal",
           sh.out.decode(errors="replace"))

    # A unique command prefix completes to the whole name and a space.
    sh.mark()
    sh.send("config-conv\t")
    result(sh.read_until(b"config-convert "), "tab completes a command name",
           repr(sh.out))
    # An option of that command, from its help text.
    sh.mark()
    sh.send("--t\t")
    result(sh.read_until(b"--to "), "tab completes the command's option --to",
           repr(sh.out))
    sh.mark()
    sh.send("xml %s\r" % CFG)
    result(sh.read_until(b"</domain>") and b"<domain type='xen'>" in sh.out,
           "the completed line runs: the config printed as XML", repr(sh.out[-400:]))

    if DOMAIN:
        sh.mark()
        sh.send("dumpxml %s\t" % DOMAIN[:-1])
        ok = sh.read_until(("dumpxml %s " % DOMAIN).encode())
        sh.send("\x15")      # ^U: drop the line
        result(ok, "tab completes a running domain's name", repr(sh.out))

    sh.mark()
    sh.send("help\r")
    result(sh.read_until(b"dumpxml") and sh.read_until(b"xl> "),
           "help lists the commands", repr(sh.out[-300:]))
    sh.send("quit\r")
    rc = sh.wait()
    result(rc == 0, "quit leaves the shell with status 0", "rc=%r" % rc)

    try:
        with open(hist) as f:
            lines = [l.rstrip("\n") for l in f]
    except OSError as e:
        lines = ["(%s)" % e]
    want = ["config-convert --to xml %s" % CFG, "help", "quit"]
    result(lines[-3:] == want, "history file holds the lines, in order",
           "got %r" % lines)

    # A new shell recalls them: two steps up is `help`.
    sh = Shell(env)
    sh.read_until(b"xl> ")
    sh.mark()
    sh.send("\x1b[A\x1b[A\r")
    ok = sh.read_until(b"dumpxml") and sh.read_until(b"xl> ")
    sh.send("\x04")          # ^D on an empty line: end of input
    rc = sh.wait()
    result(ok and rc == 0, "a new shell recalls history (up, up = help); ^D leaves",
           "rc=%r %r" % (rc, sh.out[-300:]))

    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    return 1 if failed else 0


sys.exit(main())
