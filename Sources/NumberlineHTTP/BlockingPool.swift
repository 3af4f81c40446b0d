import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A fixed set of threads for work that blocks for long (password hashing, bulk writes),
/// so it never occupies the event loops or Swift's cooperative pool.
public final class BlockingPool: Sendable {
    /// Thrown when the queue already contains `maxQueued` jobs.
    public struct Overloaded: Error {}

    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
    }

    private let state = Mutex(State())
    private let signal = Semaphore()
    public let threadCount: Int
    public let maxQueued: Int

    /// Starts `threadCount` threads; at most `maxQueued` jobs wait beyond the running ones.
    public init(threadCount: Int, maxQueued: Int) {
        precondition(threadCount > 0, "a pool needs at least one thread")
        self.threadCount = threadCount
        self.maxQueued = maxQueued
        for _ in 0..<threadCount {
            let thread = WorkerThread(pool: self)
            thread.start()
        }
    }

    /// Runs `work` on a pool thread and returns its result; throws `Overloaded` when the queue is full.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let accepted = state.withLock { state -> Bool in
                guard state.jobs.count - state.head < maxQueued else { return false }
                state.jobs.append {
                    continuation.resume(with: Result { try work() })
                }
                return true
            }
            if accepted {
                signal.post()
            } else {
                continuation.resume(throwing: Overloaded())
            }
        }
    }

    /// Queues `job` even when `maxQueued` jobs already wait. Only the task executor uses it,
    /// because a job of a task that already runs on the pool must not be dropped.
    func enqueueUnbounded(_ job: @escaping @Sendable () -> Void) {
        state.withLock { $0.jobs.append(job) }
        signal.post()
    }

    /// Jobs waiting for a thread.
    public var queuedCount: Int {
        state.withLock { $0.jobs.count - $0.head }
    }

    fileprivate func nextJob() -> (@Sendable () -> Void)? {
        while true {
            signal.wait()
            let job = state.withLock { state -> (@Sendable () -> Void)? in
                guard state.head < state.jobs.count else { return nil }
                let job = state.jobs[state.head]
                state.head += 1
                if state.head > 64 && state.head * 2 > state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            if let job { return job }
        }
    }
}

/// A counting semaphore over POSIX `sem_t`.
final class Semaphore: @unchecked Sendable {
    // sem_t is safe to use from many threads; the class only keeps it at a stable address.
    private let pointer = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    init() {
        sem_init(pointer, 0, 0)
    }

    deinit {
        sem_destroy(pointer)
        pointer.deallocate()
    }

    func post() {
        sem_post(pointer)
    }

    func wait() {
        while sem_wait(pointer) != 0 && errno == EINTR {}
    }
}

private final class WorkerThread: Sendable {
    let pool: BlockingPool

    init(pool: BlockingPool) {
        self.pool = pool
    }

    func start() {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread, nil,
            { argument in
                let worker = Unmanaged<WorkerThread>.fromOpaque(argument!).takeRetainedValue()
                worker.loop()
                return nil
            }, context)
        precondition(status == 0, "cannot start a blocking-pool thread: error \(status)")
        pthread_detach(thread)
    }

    private func loop() {
        while let job = pool.nextJob() {
            job()
        }
    }
}
