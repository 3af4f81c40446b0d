import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A fixed set of threads, each owning one PostgreSQL connection, that run the store's
/// transactions off the event loops.
///
/// The thread count bounds the node's connections. A thread opens its connection on its
/// first job, and opens a new one when the server closed the old one. A node thus survives a
/// database restart: jobs fail with the connection error while the database is away, and the
/// first job after it returns reconnects.
final class PostgresPool: @unchecked Sendable {
    /// A job receives its thread's connection, or the error that kept it from connecting.
    typealias Job = (Result<PostgresConnection, PostgresError>) -> Void

    // The queue is guarded by `mutex`; `condition` wakes an idle thread.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var jobs: [Job?] = []
    private var head = 0
    private var isClosed = false

    let url: String
    let size: Int
    /// Jobs that may wait for a connection; more fail at once as overloaded.
    let maxQueued: Int
    /// Set while connecting fails, so that each change is reported once.
    private let isUnreachable = Atomic<Bool>(false)
    private let reachabilityChanged: @Sendable (DatabaseReachability) -> Void

    /// `reachabilityChanged` is called on a pool thread when connecting fails after the last
    /// attempt succeeded, and again when a connection succeeds after a failure.
    init(url: String, size: Int, maxQueued: Int, reachabilityChanged: @escaping @Sendable (DatabaseReachability) -> Void) {
        precondition(size > 0, "a pool needs at least one connection")
        self.url = url
        self.size = size
        self.maxQueued = maxQueued
        self.reachabilityChanged = reachabilityChanged
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        for _ in 0..<size {
            let context = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(
                &thread, nil,
                { argument in
                    let pool = Unmanaged<PostgresPool>.fromOpaque(argument!).takeRetainedValue()
                    pool.work()
                    return nil
                }, context)
            precondition(status == 0, "cannot start a database thread: error \(status)")
            pthread_detach(thread)
        }
    }

    /// Queues `job`. Returns false when the pool is closed or `maxQueued` jobs already wait.
    func submit(_ job: @escaping Job) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard !isClosed, jobs.count - head < maxQueued else {
            return false
        }
        jobs.append(job)
        pthread_cond_signal(condition)
        return true
    }

    /// Stops the threads once the queued jobs ran, and closes their connections.
    func close() {
        pthread_mutex_lock(mutex)
        isClosed = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    private func nextJob() -> Job? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while head == jobs.count {
            if isClosed {
                return nil
            }
            pthread_cond_wait(condition, mutex)
        }
        // Cleared at once: a job may hold a closure its caller needs released when it finishes.
        let job = jobs[head].take()
        head += 1
        if head > 64 && head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }

    private func work() {
        var connection: PostgresConnection?
        while let job = nextJob() {
            run(job, &connection)
        }
        connection?.close()
    }

    private func run(_ job: Job, _ connection: inout PostgresConnection?) {
        if let current = connection, !current.isUsable {
            current.close()
            connection = nil
        }
        if connection == nil {
            do {
                connection = try PostgresConnection(url: url)
            } catch {
                let failure = error as? PostgresError ?? PostgresError(sqlState: "", message: "\(error)")
                if !isUnreachable.exchange(true, ordering: .relaxed) {
                    reachabilityChanged(.unreachable(failure.message))
                }
                job(.failure(failure))
                return
            }
            if isUnreachable.exchange(false, ordering: .relaxed) {
                reachabilityChanged(.reachable)
            }
        }
        job(.success(connection!))
    }
}

/// A change in whether the database accepts connections, reported by the pool.
public enum DatabaseReachability: Sendable, Equatable {
    /// Connecting failed, for the reason given, after the last attempt had succeeded.
    case unreachable(String)
    /// Connecting succeeded after a failure.
    case reachable
}

/// Lets at most `limit` tasks through at a time; the others wait, suspended, in arrival order.
///
/// PostgreSQL writers run one at a time across all nodes, since they share one advisory lock.
/// A node gains nothing from more than a couple of write transactions at once, and each one
/// waiting for the lock would hold a pool connection that reads could use.
final class TaskGate: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        precondition(limit > 0, "a gate must let at least one task through")
        self.limit = limit
    }

    /// Runs `body` once fewer than `limit` other bodies run.
    func withPermit<Result>(_ body: () async throws -> Result) async throws -> Result {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { state -> Bool in
                if state.running < limit {
                    state.running += 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if admitted {
                continuation.resume()
            }
        }
    }

    private func leave() {
        // The permit passes straight to the next waiter, so `running` stays the same.
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiting.count else {
                state.running -= 1
                return nil
            }
            let next = state.waiting[state.head]
            state.head += 1
            if state.head > 64 && state.head * 2 > state.waiting.count {
                state.waiting.removeFirst(state.head)
                state.head = 0
            }
            return next
        }
        next?.resume()
    }
}
