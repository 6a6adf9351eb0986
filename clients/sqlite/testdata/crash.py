"""Writers killed with SIGKILL in the middle of a transaction or of its
commit: the database holds whole transactions only. Each round a child
inserts ROWS rows in one transaction and is killed at a random moment
around its COMMIT; then the row count must be a multiple of ROWS and
PRAGMA integrity_check ok. Prints "rounds R committed C".

Usage: crash.py EXTENSION SERVER NAME ROUNDS ROWS
"""
import os
import random
import signal
import subprocess
import sys
import time

import pitrsql

extension, server, name = sys.argv[1:4]
rounds, rows = int(sys.argv[4]), int(sys.argv[5])
pitrsql.load(extension)
db = pitrsql.connect(server, name)

if rounds == 0:  # a child: one transaction, announced before its commit
    db.execute("BEGIN")
    for _ in range(rows):
        db.execute("INSERT INTO c(x) VALUES (randomblob(1000))")
    print("commit", flush=True)
    db.execute("COMMIT")
    time.sleep(60)  # killed here at the latest
    sys.exit(0)

db.execute("CREATE TABLE c(i INTEGER PRIMARY KEY, x BLOB)")
random.seed(15)
committed = 0
for r in range(rounds):
    child = subprocess.Popen([sys.executable] + sys.argv[:4] + ["0", str(rows)],
                             stdout=subprocess.PIPE)
    child.stdout.readline()
    time.sleep(random.uniform(0, 0.05))
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    count = db.execute("SELECT count(*) FROM c").fetchone()[0]
    check = db.execute("PRAGMA integrity_check").fetchone()[0]
    if count % rows != 0 or check != "ok":
        sys.exit("round %d: %d rows, integrity_check %s" % (r, count, check))
    committed = count // rows
print("rounds %d committed %d" % (rounds, committed))
