import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Token buckets keyed by a client address or an access token: `rate` requests per second
/// with bursts of up to twice that. State lives in this process only.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updatedAt: Double
    }

    /// Buckets kept at most; beyond this, buckets idle long enough to be full again are dropped.
    private static let maxBuckets = 100_000

    let rate: Double
    private let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    /// A limiter allowing `rate` requests per second per key; 0 allows everything.
    init(rate: Int) {
        self.rate = Double(rate)
        self.burst = Double(rate) * 2
    }

    var isEnabled: Bool { rate > 0 }

    /// Takes one request from `key`'s bucket; returns nil when allowed, else the seconds to wait.
    func take(_ key: String) -> Int? {
        guard isEnabled else { return nil }
        let now = RateLimiter.seconds()
        return buckets.withLock { buckets -> Int? in
            if buckets.count >= RateLimiter.maxBuckets && buckets[key] == nil {
                let fullAfter = burst / rate
                buckets = buckets.filter { now - $0.value.updatedAt < fullAfter }
            }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updatedAt: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updatedAt) * rate)
            bucket.updatedAt = now
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
            }
            bucket.tokens -= 1
            buckets[key] = bucket
            return nil
        }
    }

    private static func seconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
