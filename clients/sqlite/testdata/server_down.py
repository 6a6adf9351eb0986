"""The server goes away under a running application and comes back: the
connection reaches pitrd through a TCP relay that this script closes (every
connection dropped, new ones refused) and opens again on the same port.
Prints one "name value" line per step.

Usage: server_down.py EXTENSION SERVER NAME
"""
import socket
import sqlite3
import sys
import threading
import time

import pitrsql

extension, server, name = sys.argv[1:4]
host, port = server.rsplit(":", 1)


class Relay:
    """Relays 127.0.0.1:<port> to the server until close()."""

    def __init__(self, listen_port=0):
        self.listener = socket.create_server(("127.0.0.1", listen_port))
        self.port = self.listener.getsockname()[1]
        self.sockets = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection((host, int(port)))
            self.sockets += [client, upstream]
            for a, b in [(client, upstream), (upstream, client)]:
                threading.Thread(target=self.pump, args=(a, b),
                                 daemon=True).start()

    @staticmethod
    def pump(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def insert(db, value):
    try:
        db.execute("INSERT INTO t VALUES (?)", (value,))
        return "ok"
    except sqlite3.Error as e:
        return str(e).replace(" ", "_")


pitrsql.load(extension)
relay = Relay()
db = pitrsql.connect("127.0.0.1:%d" % relay.port, name)
db.execute("CREATE TABLE t(v)")
print("before", insert(db, 1), flush=True)
relay.close()
print("down", insert(db, 2), flush=True)
relay = Relay(relay.port)
result = "never"
for attempt in range(100):  # the channel reconnects with a backoff
    result = insert(db, 3)
    if result == "ok":
        break
    time.sleep(0.1)
print("back", result, flush=True)
print("rows", ",".join(str(r[0]) for r in db.execute("SELECT v FROM t")))
print("integrity", db.execute("PRAGMA integrity_check").fetchone()[0])
