// fault_shim.so: an LD_PRELOAD library that injects I/O faults into pitrd's
// files, under both pitr's WAL and RocksDB (which the WAL's own FileSystem
// seam cannot reach). See fault_control.h for the rules and how a test
// drives them.
//
// It wraps the libc entry points (found with dlsym(RTLD_NEXT)): every
// open/openat/creat records whether the new descriptor is a file under the
// data directory's wal/ or pages/; close forgets it. fsync, fdatasync,
// sync_file_range, write, pwrite, writev, pwritev, read, pread, readv and
// preadv on such a descriptor consult the armed rule of their kind and may
// fail with its errno (nothing is done then) or, for writes, write half the
// bytes and return that count. Each fault is logged to stderr (pitrd's log)
// as "fault_shim: <call>(<path>) -> <error>".
//
// What it cannot see: I/O libc does internally (fread, fwrite, stdio
// streams, mmap'd files), and descriptors opened before it loaded.
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "tests/fault/fault_control.h"

namespace {

using ::pitr::fault::Control;
using ::pitr::fault::kControlEnv;
using ::pitr::fault::kControlMagic;
using ::pitr::fault::kPages;
using ::pitr::fault::kRead;
using ::pitr::fault::kSync;
using ::pitr::fault::kWal;
using ::pitr::fault::kWrite;
using ::pitr::fault::Op;
using ::pitr::fault::Rule;

constexpr int kMaxFd = 1 << 16;

Control* g_control = nullptr;
// The Scope of each watched descriptor; 0: not watched.
std::atomic<uint8_t> g_scope[kMaxFd];

template <typename F>
F Real(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

// The real function `name` of type `type`, resolved on first use.
#define REAL(type, name) static const auto real = Real<type>(name)

__attribute__((constructor)) void Init() {
  const char* path = getenv(kControlEnv);
  if (path == nullptr || *path == '\0') return;
  const int fd = static_cast<int>(
      syscall(SYS_openat, AT_FDCWD, path, O_RDWR | O_CLOEXEC));
  if (fd < 0) return;
  void* map = mmap(nullptr, sizeof(Control), PROT_READ | PROT_WRITE,
                   MAP_SHARED, fd, 0);
  syscall(SYS_close, fd);
  if (map == MAP_FAILED) return;
  Control* control = static_cast<Control*>(map);
  if (control->magic != kControlMagic) {
    munmap(map, sizeof(Control));
    return;
  }
  g_control = control;
}

// The Scope of `path` (relative to `dirfd`), 0 if it is not watched.
int Classify(int dirfd, const char* path) {
  Control* control = g_control;
  if (control == nullptr || path == nullptr) return 0;
  char full[4096];
  if (path[0] == '/') {
    snprintf(full, sizeof(full), "%s", path);
  } else {
    char base[2048];
    ssize_t n = -1;
    if (dirfd == AT_FDCWD) {
      n = getcwd(base, sizeof(base)) != nullptr
              ? static_cast<ssize_t>(strlen(base))
              : -1;
    } else {
      char link[64];
      snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
      n = readlink(link, base, sizeof(base) - 1);
    }
    if (n < 0) return 0;
    base[n] = '\0';
    snprintf(full, sizeof(full), "%s/%s", base, path);
  }
  const size_t length = strnlen(control->dir, sizeof(control->dir));
  if (length == 0 || strncmp(full, control->dir, length) != 0) return 0;
  const char* rest = full + length;
  if (strncmp(rest, "/wal/", 5) == 0) return kWal;
  if (strncmp(rest, "/pages/", 7) == 0) return kPages;
  return 0;
}

int Track(int fd, int scope) {
  if (fd >= 0 && fd < kMaxFd) {
    g_scope[fd].store(static_cast<uint8_t>(scope), std::memory_order_relaxed);
  }
  return fd;
}

uint64_t Random() {
  thread_local uint64_t state = 0;
  if (state == 0) {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    state = (static_cast<uint64_t>(now.tv_nsec) << 20) ^
            reinterpret_cast<uintptr_t>(&state) ^ 0x9E3779B97F4A7C15ull;
  }
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

constexpr int kShort = -1;

// What to do with one operation `op` on `fd`: 0 let it through, an errno
// to fail with, or kShort (write half).
int Decide(Op op, int fd) {
  Control* control = g_control;
  if (control == nullptr || fd < 0 || fd >= kMaxFd) return 0;
  const int scope = g_scope[fd].load(std::memory_order_relaxed);
  if (scope == 0) return 0;
  control->ops[op][scope == kWal ? 0 : 1].fetch_add(1);
  Rule& rule = control->rules[op];
  const int error = rule.error.load(std::memory_order_acquire);
  const bool short_io =
      op == kWrite && rule.short_io.load(std::memory_order_acquire) != 0;
  if (error == 0 && !short_io) return 0;
  if ((rule.scope.load() & scope) == 0) return 0;
  if (rule.path_contains[0] != '\0') {
    char filter[sizeof(rule.path_contains)];
    memcpy(filter, rule.path_contains, sizeof(filter));
    filter[sizeof(filter) - 1] = '\0';
    char link[64];
    char path[1024];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    const ssize_t n = readlink(link, path, sizeof(path) - 1);
    path[n < 0 ? 0 : n] = '\0';
    if (strstr(path, filter) == nullptr) return 0;
  }
  if (rule.seen.fetch_add(1) < rule.skip.load()) return 0;
  const int32_t ppm = rule.probability_ppm.load();
  if (ppm > 0 && ppm < 1000000 &&
      Random() % 1000000 >= static_cast<uint64_t>(ppm)) {
    return 0;
  }
  const int64_t limit = rule.limit.load();
  if (limit >= 0) {
    int64_t done = rule.injected.load();
    do {
      if (done >= limit) return 0;
    } while (!rule.injected.compare_exchange_weak(done, done + 1));
  } else {
    rule.injected.fetch_add(1);
  }
  control->total_injected[op].fetch_add(1);
  if (short_io) {
    control->total_short_writes.fetch_add(1);
    return kShort;
  }
  return error;
}

// Logs one injected fault to stderr.
void Report(const char* call, int fd, int decision) {
  char link[64];
  char path[1024];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof(path) - 1);
  path[n < 0 ? 0 : n] = '\0';
  char line[1400];
  const int length =
      decision == kShort
          ? snprintf(line, sizeof(line), "fault_shim: %s(%s) -> short write\n",
                     call, path)
          : snprintf(line, sizeof(line), "fault_shim: %s(%s) -> %s\n", call,
                     path, strerrorname_np(decision));
  REAL(ssize_t (*)(int, const void*, size_t), "write");
  if (length > 0) {
    ssize_t ignored = real(STDERR_FILENO, line, static_cast<size_t>(length));
    (void)ignored;
  }
}

// Half of the iovecs' bytes (at least one), as a new iovec array in `out`.
int HalfIov(const iovec* iov, int count, iovec* out, int capacity) {
  size_t total = 0;
  for (int i = 0; i < count; ++i) total += iov[i].iov_len;
  size_t want = total > 1 ? total / 2 : total;
  int n = 0;
  for (int i = 0; i < count && want > 0 && n < capacity; ++i) {
    out[n] = iov[i];
    if (out[n].iov_len > want) out[n].iov_len = want;
    want -= out[n].iov_len;
    ++n;
  }
  return n;
}

mode_t ModeArg(int flags, va_list args) {
  if ((flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE) {
    return static_cast<mode_t>(va_arg(args, int));
  }
  return 0;
}

}  // namespace

// glibc's fortified entry points, declared only under _FORTIFY_SOURCE.
extern "C" int __open_2(const char* path, int flags);
extern "C" int __open64_2(const char* path, int flags);
extern "C" int __openat_2(int dirfd, const char* path, int flags);
extern "C" int __openat64_2(int dirfd, const char* path, int flags);

extern "C" {

int open(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = ModeArg(flags, args);
  va_end(args);
  REAL(int (*)(const char*, int, ...), "open");
  return Track(real(path, flags, mode), Classify(AT_FDCWD, path));
}

int open64(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = ModeArg(flags, args);
  va_end(args);
  REAL(int (*)(const char*, int, ...), "open64");
  return Track(real(path, flags, mode), Classify(AT_FDCWD, path));
}

int openat(int dirfd, const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = ModeArg(flags, args);
  va_end(args);
  REAL(int (*)(int, const char*, int, ...), "openat");
  return Track(real(dirfd, path, flags, mode), Classify(dirfd, path));
}

int openat64(int dirfd, const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  const mode_t mode = ModeArg(flags, args);
  va_end(args);
  REAL(int (*)(int, const char*, int, ...), "openat64");
  return Track(real(dirfd, path, flags, mode), Classify(dirfd, path));
}

int __open_2(const char* path, int flags) {
  REAL(int (*)(const char*, int), "__open_2");
  return Track(real(path, flags), Classify(AT_FDCWD, path));
}

int __open64_2(const char* path, int flags) {
  REAL(int (*)(const char*, int), "__open64_2");
  return Track(real(path, flags), Classify(AT_FDCWD, path));
}

int __openat_2(int dirfd, const char* path, int flags) {
  REAL(int (*)(int, const char*, int), "__openat_2");
  return Track(real(dirfd, path, flags), Classify(dirfd, path));
}

int __openat64_2(int dirfd, const char* path, int flags) {
  REAL(int (*)(int, const char*, int), "__openat64_2");
  return Track(real(dirfd, path, flags), Classify(dirfd, path));
}

int creat(const char* path, mode_t mode) {
  REAL(int (*)(const char*, mode_t), "creat");
  return Track(real(path, mode), Classify(AT_FDCWD, path));
}

int creat64(const char* path, mode_t mode) {
  REAL(int (*)(const char*, mode_t), "creat64");
  return Track(real(path, mode), Classify(AT_FDCWD, path));
}

int close(int fd) {
  Track(fd, 0);
  REAL(int (*)(int), "close");
  return real(fd);
}

// --- sync ---------------------------------------------------------------

int fsync(int fd) {
  if (const int d = Decide(kSync, fd); d > 0) {
    Report("fsync", fd, d);
    errno = d;
    return -1;
  }
  REAL(int (*)(int), "fsync");
  return real(fd);
}

int fdatasync(int fd) {
  if (const int d = Decide(kSync, fd); d > 0) {
    Report("fdatasync", fd, d);
    errno = d;
    return -1;
  }
  REAL(int (*)(int), "fdatasync");
  return real(fd);
}

int sync_file_range(int fd, off64_t offset, off64_t nbytes,
                    unsigned int flags) {
  // RocksDB probes for support with an empty range when it opens a file
  // (and asserts the probe fails only with ENOSYS): not a sync.
  const bool probe = offset == 0 && nbytes == 0 && flags == 0;
  if (const int d = probe ? 0 : Decide(kSync, fd); d > 0) {
    Report("sync_file_range", fd, d);
    errno = d;
    return -1;
  }
  REAL(int (*)(int, off64_t, off64_t, unsigned int), "sync_file_range");
  return real(fd, offset, nbytes, flags);
}

// --- write --------------------------------------------------------------

ssize_t write(int fd, const void* buf, size_t count) {
  REAL(ssize_t (*)(int, const void*, size_t), "write");
  const int d = Decide(kWrite, fd);
  if (d > 0) {
    Report("write", fd, d);
    errno = d;
    return -1;
  }
  if (d == kShort && count > 1) {
    Report("write", fd, d);
    return real(fd, buf, count / 2);
  }
  return real(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  REAL(ssize_t (*)(int, const void*, size_t, off_t), "pwrite");
  const int d = Decide(kWrite, fd);
  if (d > 0) {
    Report("pwrite", fd, d);
    errno = d;
    return -1;
  }
  if (d == kShort && count > 1) {
    Report("pwrite", fd, d);
    return real(fd, buf, count / 2, offset);
  }
  return real(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  REAL(ssize_t (*)(int, const void*, size_t, off64_t), "pwrite64");
  const int d = Decide(kWrite, fd);
  if (d > 0) {
    Report("pwrite64", fd, d);
    errno = d;
    return -1;
  }
  if (d == kShort && count > 1) {
    Report("pwrite64", fd, d);
    return real(fd, buf, count / 2, offset);
  }
  return real(fd, buf, count, offset);
}

ssize_t writev(int fd, const iovec* iov, int count) {
  REAL(ssize_t (*)(int, const iovec*, int), "writev");
  const int d = Decide(kWrite, fd);
  if (d > 0) {
    Report("writev", fd, d);
    errno = d;
    return -1;
  }
  if (d == kShort) {
    iovec half[64];
    const int n = HalfIov(iov, count, half, 64);
    if (n > 0) {
      Report("writev", fd, d);
      return real(fd, half, n);
    }
  }
  return real(fd, iov, count);
}

ssize_t pwritev(int fd, const iovec* iov, int count, off_t offset) {
  REAL(ssize_t (*)(int, const iovec*, int, off_t), "pwritev");
  const int d = Decide(kWrite, fd);
  if (d > 0) {
    Report("pwritev", fd, d);
    errno = d;
    return -1;
  }
  if (d == kShort) {
    iovec half[64];
    const int n = HalfIov(iov, count, half, 64);
    if (n > 0) {
      Report("pwritev", fd, d);
      return real(fd, half, n, offset);
    }
  }
  return real(fd, iov, count, offset);
}

ssize_t pwritev64(int fd, const iovec* iov, int count, off64_t offset) {
  REAL(ssize_t (*)(int, const iovec*, int, off64_t), "pwritev64");
  const int d = Decide(kWrite, fd);
  if (d > 0) {
    Report("pwritev64", fd, d);
    errno = d;
    return -1;
  }
  if (d == kShort) {
    iovec half[64];
    const int n = HalfIov(iov, count, half, 64);
    if (n > 0) {
      Report("pwritev64", fd, d);
      return real(fd, half, n, offset);
    }
  }
  return real(fd, iov, count, offset);
}

// --- read ---------------------------------------------------------------

ssize_t read(int fd, void* buf, size_t count) {
  if (const int d = Decide(kRead, fd); d > 0) {
    Report("read", fd, d);
    errno = d;
    return -1;
  }
  REAL(ssize_t (*)(int, void*, size_t), "read");
  return real(fd, buf, count);
}

ssize_t pread(int fd, void* buf, size_t count, off_t offset) {
  if (const int d = Decide(kRead, fd); d > 0) {
    Report("pread", fd, d);
    errno = d;
    return -1;
  }
  REAL(ssize_t (*)(int, void*, size_t, off_t), "pread");
  return real(fd, buf, count, offset);
}

ssize_t pread64(int fd, void* buf, size_t count, off64_t offset) {
  if (const int d = Decide(kRead, fd); d > 0) {
    Report("pread64", fd, d);
    errno = d;
    return -1;
  }
  REAL(ssize_t (*)(int, void*, size_t, off64_t), "pread64");
  return real(fd, buf, count, offset);
}

ssize_t readv(int fd, const iovec* iov, int count) {
  if (const int d = Decide(kRead, fd); d > 0) {
    Report("readv", fd, d);
    errno = d;
    return -1;
  }
  REAL(ssize_t (*)(int, const iovec*, int), "readv");
  return real(fd, iov, count);
}

ssize_t preadv(int fd, const iovec* iov, int count, off_t offset) {
  if (const int d = Decide(kRead, fd); d > 0) {
    Report("preadv", fd, d);
    errno = d;
    return -1;
  }
  REAL(ssize_t (*)(int, const iovec*, int, off_t), "preadv");
  return real(fd, iov, count, offset);
}

}  // extern "C"
