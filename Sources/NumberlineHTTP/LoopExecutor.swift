import CH2O
import Synchronization

/// Runs Swift task jobs on one H2O event loop thread.
///
/// Request tasks prefer the executor of the loop that owns the request, so a handler that
/// never suspends for long runs start to finish on that loop, and its answer goes out without
/// a thread switch. Work that blocks (password hashing, bulk writes) moves to the blocking
/// pool and comes back here when it resumes.
final class LoopExecutor: TaskExecutor, @unchecked Sendable {
    // `server` is set once before the loops start and only read afterwards.
    let index: Int32
    nonisolated(unsafe) var server: OpaquePointer?
    private let jobs = Mutex<[UnownedJob]>([])

    init(index: Int32) {
        self.index = index
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let wasEmpty = jobs.withLock { jobs in
            jobs.append(job)
            return jobs.count == 1
        }
        // On the loop thread the jobs run when the current batch of events is done.
        guard let server, wasEmpty, nl_server_current_loop(server) != index else { return }
        nl_server_wake(server, index)
    }

    /// Runs every queued job, including jobs those jobs queue; called on the loop thread.
    func drain() {
        while true {
            let batch = jobs.withLock { jobs -> [UnownedJob] in
                defer { jobs.removeAll(keepingCapacity: true) }
                return jobs
            }
            if batch.isEmpty { return }
            for job in batch {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
    }
}
