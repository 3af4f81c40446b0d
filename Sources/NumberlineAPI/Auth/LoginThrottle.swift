import NumberlineStore

/// Limits password guessing per username and per client address.
///
/// Every attempt counts as a failure when it starts, so parallel guesses cannot slip past
/// the limit while their hashes are being checked; a successful login clears its username's
/// count. Failures older than `window` are forgotten. The counts live in the database, so
/// every node sharing it enforces one limit and a restart does not reset a lock.
public final class LoginThrottle: Sendable {
    public struct Policy: Sendable {
        /// Failures per username after which each further failure gets a delayed response.
        public var slowAfter = 5
        /// Added per failure beyond `slowAfter`, in milliseconds.
        public var delayStepMilliseconds = 200
        /// Failures per username that lock it.
        public var lockUsernameAfter = 10
        /// Failures from one address that lock the address.
        public var lockAddressAfter = 100
        /// How long a lock lasts, in seconds.
        public var lockSeconds: Int64 = 900
        /// Failures older than this many seconds are forgotten.
        public var windowSeconds: Int64 = 900

        public init() {}
    }

    /// The decision for one attempt.
    public enum Decision: Equatable, Sendable {
        /// Go ahead; if the password turns out wrong, respond after `failureDelayMilliseconds`.
        case proceed(failureDelayMilliseconds: Int)
        case locked(retryAfterSeconds: Int)
    }

    public let policy: Policy
    private let store: any Store

    public init(policy: Policy, store: any Store) {
        self.policy = policy
        self.store = store
    }

    /// Checks both keys and counts the attempt as a failure until `succeeded` clears it.
    public func begin(instanceID: Int64, username: String, address: String, now: Int64) async throws -> Decision {
        let (userKey, addressKey) = Self.keys(instanceID: instanceID, username: username, address: address)
        return try await store.updateThrottleCounts(keys: [userKey, addressKey], forgetBefore: now - policy.windowSeconds) { stored in
            let userCount = current(stored[userKey], now: now)
            let addressCount = current(stored[addressKey], now: now)
            let lockedUntil = max(userCount.lockedUntil, addressCount.lockedUntil)
            if lockedUntil > now {
                return (stored, .locked(retryAfterSeconds: Int(lockedUntil - now)))
            }

            var user = userCount
            user.failures += 1
            if user.failures >= policy.lockUsernameAfter {
                user.lockedUntil = now + policy.lockSeconds
            }
            var address = addressCount
            address.failures += 1
            if address.failures >= policy.lockAddressAfter {
                address.lockedUntil = now + policy.lockSeconds
            }
            let excess = user.failures - policy.slowAfter
            return (
                [userKey: user, addressKey: address],
                .proceed(failureDelayMilliseconds: excess > 0 ? excess * policy.delayStepMilliseconds : 0)
            )
        }
    }

    /// Clears the username's count after a correct password; the address count stays.
    public func succeeded(instanceID: Int64, username: String, address: String) async throws {
        let (userKey, addressKey) = Self.keys(instanceID: instanceID, username: username, address: address)
        try await store.updateThrottleCounts(keys: [userKey, addressKey], forgetBefore: 0) { stored in
            var counts = stored
            counts[userKey] = nil
            // The attempt was counted against the address in `begin`; a success takes it back.
            if var count = counts[addressKey], count.failures > 0 {
                count.failures -= 1
                counts[addressKey] = count
            }
            return (counts, ())
        }
    }

    /// Takes back an attempt that never reached the password check (the hashing pool was full),
    /// so that clients retrying a busy server do not lock themselves out.
    public func cancel(instanceID: Int64, username: String, address: String) async throws {
        let (userKey, addressKey) = Self.keys(instanceID: instanceID, username: username, address: address)
        try await store.updateThrottleCounts(keys: [userKey, addressKey], forgetBefore: 0) { stored in
            var counts = stored
            for key in [userKey, addressKey] {
                if var count = counts[key], count.failures > 0, count.lockedUntil == 0 {
                    count.failures -= 1
                    counts[key] = count
                }
            }
            return (counts, ())
        }
    }

    private static func keys(instanceID: Int64, username: String, address: String) -> (user: String, address: String) {
        ("u:\(instanceID):" + username.lowercased(), "a:" + address)
    }

    /// Returns the count as it is at `now`: a lock that has run out and failures older than the
    /// window both start a fresh count.
    private func current(_ count: ThrottleCount?, now: Int64) -> ThrottleCount {
        let fresh = ThrottleCount(failures: 0, firstFailureAt: now, lockedUntil: 0)
        guard let count else { return fresh }
        if count.lockedUntil != 0 && count.lockedUntil <= now {
            return fresh
        }
        if count.lockedUntil == 0 && now - count.firstFailureAt >= policy.windowSeconds {
            return fresh
        }
        return count
    }
}
