"""Transactions that start from the watch (no round trip) still see every
commit acknowledged before they began, in another process, and a reader
process that stops does not hold writers back longer than its lease.

The writer (this process) sets a row to 1, 2, ... and after each commit
tells the reader process, which answers with the value its next autocommit
SELECT sees: anything but the value just committed is stale. With "stall",
the reader is stopped (SIGSTOP) before a commit, which must still complete
(its lease runs out), and after SIGCONT its next read must see the commit.

Prints "rounds N stale S", "stalled_commit ok" (with stall), then the
reader's pitr_stats() line.

Usage: watch.py EXTENSION SERVER NAME ROUNDS [stall]
       watch.py EXTENSION SERVER NAME reader   (the reader process)
"""
import os
import signal
import subprocess
import sys

import pitrsql

extension, server, name, mode = sys.argv[1:5]
pitrsql.load(extension)


def read_value(conn):
    return conn.execute("SELECT v FROM t WHERE i = 1").fetchone()[0]


if mode == "reader":
    conn = pitrsql.connect(server, name)
    read_value(conn)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "stats":
            print(conn.execute("SELECT pitr_stats()").fetchone()[0], flush=True)
            break
        print(read_value(conn), flush=True)
    sys.exit(0)

rounds = int(mode)
stall = len(sys.argv) > 5 and sys.argv[5] == "stall"
writer = pitrsql.connect(server, name)
writer.execute("CREATE TABLE t(i INTEGER PRIMARY KEY, v INTEGER)")
writer.execute("INSERT INTO t VALUES (1, 0)")

reader = subprocess.Popen(
    [sys.executable, sys.argv[0], extension, server, name, "reader"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
assert reader.stdout.readline().strip() == "ready"


def ask(request):
    reader.stdin.write(request + "\n")
    reader.stdin.flush()
    return reader.stdout.readline().strip()


stale = 0
for value in range(1, rounds + 1):
    writer.execute("UPDATE t SET v = ? WHERE i = 1", (value,))
    if ask("read") != str(value):
        stale += 1
print("rounds %d stale %d" % (rounds, stale), flush=True)

if stall:
    os.kill(reader.pid, signal.SIGSTOP)
    writer.execute("UPDATE t SET v = -1 WHERE i = 1")
    os.kill(reader.pid, signal.SIGCONT)
    print("stalled_commit %s" % ("ok" if ask("read") == "-1" else "stale"),
          flush=True)

print(ask("stats"), flush=True)
sys.exit(reader.wait())
