"""What the clients/sqlite end-to-end scripts share: loading the extension
into Debian's python3 sqlite3 module and opening databases on pitr."""
import sqlite3


def load(extension):
    """Loads libpitr_sqlite.so; it stays loaded after this connection."""
    conn = sqlite3.connect(":memory:")
    conn.enable_load_extension(True)
    conn.load_extension(extension)
    conn.close()


def connect(server, name, **params):
    """Database `name` on pitr, in autocommit mode (explicit BEGIN/COMMIT)."""
    uri = "file:%s?vfs=pitr&server=%s" % (name, server)
    uri += "".join("&%s=%s" % item for item in params.items())
    return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=0)


def is_busy(error):
    return "locked" in str(error) or "busy" in str(error)
