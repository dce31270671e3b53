// Mutexes that clang's thread-safety analysis (-Wthread-safety) understands, with their scoped
// locks, so that GUARDED_BY on the ledger's shared state is checked at compile time. libstdc++'s
// std::mutex carries no annotations, hence these thin wrappers. Thread-safe, as mutexes are.
#pragma once

#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define PHAT_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define PHAT_THREAD_ANNOTATION(x)
#endif

#define PHAT_CAPABILITY(x) PHAT_THREAD_ANNOTATION(capability(x))
#define PHAT_SCOPED_CAPABILITY PHAT_THREAD_ANNOTATION(scoped_lockable)
#define PHAT_GUARDED_BY(x) PHAT_THREAD_ANNOTATION(guarded_by(x))
#define PHAT_REQUIRES(...) PHAT_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define PHAT_REQUIRES_SHARED(...) PHAT_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define PHAT_ACQUIRE(...) PHAT_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define PHAT_ACQUIRE_SHARED(...) PHAT_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define PHAT_RELEASE(...) PHAT_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define PHAT_RELEASE_SHARED(...) PHAT_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define PHAT_RELEASE_GENERIC(...) PHAT_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define PHAT_EXCLUDES(...) PHAT_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

namespace phat::ledger {

class PHAT_CAPABILITY("mutex") Mutex {
 public:
  void Lock() PHAT_ACQUIRE() { mutex_.lock(); }
  void Unlock() PHAT_RELEASE() { mutex_.unlock(); }

 private:
  std::mutex mutex_;
};

class PHAT_CAPABILITY("mutex") SharedMutex {
 public:
  void Lock() PHAT_ACQUIRE() { mutex_.lock(); }
  void Unlock() PHAT_RELEASE() { mutex_.unlock(); }
  void LockShared() PHAT_ACQUIRE_SHARED() { mutex_.lock_shared(); }
  void UnlockShared() PHAT_RELEASE_SHARED() { mutex_.unlock_shared(); }

 private:
  std::shared_mutex mutex_;
};

class PHAT_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) PHAT_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() PHAT_RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

class PHAT_SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) PHAT_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~WriterLock() PHAT_RELEASE() { mu_.Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

class PHAT_SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) PHAT_ACQUIRE_SHARED(mu) : mu_(mu) { mu_.LockShared(); }
  ~ReaderLock() PHAT_RELEASE_GENERIC() { mu_.UnlockShared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

}  // namespace phat::ledger
