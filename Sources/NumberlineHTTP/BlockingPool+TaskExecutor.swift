/// Lets a task run on the pool's threads with `withTaskExecutorPreference(pool) { … }`.
///
/// Bulk handlers use it so that parsing a large body and a long store transaction leave the
/// event loops and Swift's cooperative pool free. Child tasks started inside inherit the
/// preference, so a task group spreads its work over every pool thread.
extension BlockingPool: TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        enqueueUnbounded {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
