// pitr::Mutex, MutexLock and CondVar: absl::Mutex and absl::CondVar, made
// visible to ThreadSanitizer.
//
// Debian's Abseil is a shared library built without -fsanitize=thread, so
// TSan never sees an absl::Mutex being taken or released and reports every
// access to guarded data from two threads as a race. These wrappers tell
// TSan about each lock, unlock and wait through its annotation interface;
// without TSan the annotations compile to nothing and each call is exactly
// the absl call. Use them everywhere instead of the absl types. There is no
// Await(Condition): absl evaluates conditions inside the library, out of
// TSan's sight; wait on a CondVar in a loop instead.
#ifndef PITR_BASE_MUTEX_H_
#define PITR_BASE_MUTEX_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#if defined(__SANITIZE_THREAD__)
#define PITR_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PITR_TSAN 1
#endif
#endif

#ifdef PITR_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace pitr {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() { Annotate(kCreate); }
  ~Mutex() { Annotate(kDestroy); }
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    Annotate(kPreLock);
    mu_.Lock();
    Annotate(kPostLock);
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    Annotate(kPreUnlock);
    mu_.Unlock();
    Annotate(kPostUnlock);
  }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() {
    Annotate(kPreReaderLock);
    mu_.ReaderLock();
    Annotate(kPostReaderLock);
  }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() {
    Annotate(kPreReaderUnlock);
    mu_.ReaderUnlock();
    Annotate(kPostReaderUnlock);
  }
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() { mu_.AssertHeld(); }

 private:
  friend class CondVar;
  enum Event {
    kCreate,
    kDestroy,
    kPreLock,
    kPostLock,
    kPreUnlock,
    kPostUnlock,
    kPreReaderLock,
    kPostReaderLock,
    kPreReaderUnlock,
    kPostReaderUnlock
  };

  void Annotate(Event event) {
#ifdef PITR_TSAN
    switch (event) {
      case kCreate:
        __tsan_mutex_create(this, 0);
        break;
      case kDestroy:
        __tsan_mutex_destroy(this, 0);
        break;
      case kPreLock:
        __tsan_mutex_pre_lock(this, 0);
        break;
      case kPostLock:
        __tsan_mutex_post_lock(this, 0, 0);
        break;
      case kPreUnlock:
        __tsan_mutex_pre_unlock(this, 0);
        break;
      case kPostUnlock:
        __tsan_mutex_post_unlock(this, 0);
        break;
      case kPreReaderLock:
        __tsan_mutex_pre_lock(this, __tsan_mutex_read_lock);
        break;
      case kPostReaderLock:
        __tsan_mutex_post_lock(this, __tsan_mutex_read_lock, 0);
        break;
      case kPreReaderUnlock:
        __tsan_mutex_pre_unlock(this, __tsan_mutex_read_lock);
        break;
      case kPostReaderUnlock:
        __tsan_mutex_post_unlock(this, __tsan_mutex_read_lock);
        break;
    }
#else
    (void)event;
#endif
  }

  absl::Mutex mu_;
};

// Holds a Mutex for its scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->Lock();
  }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// Holds a Mutex shared (with other readers) for its scope.
class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(Mutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->ReaderLock();
  }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  Mutex* const mu_;
};

class CondVar {
 public:
  // Releases *mu, waits for a Signal, retakes *mu. May wake spuriously.
  void Wait(Mutex* mu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    mu->Annotate(Mutex::kPreUnlock);
    mu->Annotate(Mutex::kPostUnlock);
    cv_.Wait(&mu->mu_);
    mu->Annotate(Mutex::kPreLock);
    mu->Annotate(Mutex::kPostLock);
  }
  // As Wait, but gives up at deadline; returns true if it timed out.
  bool WaitWithDeadline(Mutex* mu, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    mu->Annotate(Mutex::kPreUnlock);
    mu->Annotate(Mutex::kPostUnlock);
    bool timed_out = cv_.WaitWithDeadline(&mu->mu_, deadline);
    mu->Annotate(Mutex::kPreLock);
    mu->Annotate(Mutex::kPostLock);
    return timed_out;
  }
  void Signal() { cv_.Signal(); }
  void SignalAll() { cv_.SignalAll(); }

 private:
  absl::CondVar cv_;
};

}  // namespace pitr

#endif  // PITR_BASE_MUTEX_H_
