import Synchronization

/// Limits password guessing per username and per client address.
///
/// Every attempt counts as a failure when it starts, so parallel guesses cannot slip past
/// the limit while their hashes are being checked; a successful login clears its username's
/// count. Failures older than `window` are forgotten. State lives in this process only.
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

    private struct Entry {
        var failures: Int
        var firstFailureAt: Int64
        var lockedUntil: Int64
    }

    /// Entries kept at most; beyond this the oldest half is dropped.
    private static let maxEntries = 100_000

    public let policy: Policy
    private let entries = Mutex<[String: Entry]>([:])

    public init(policy: Policy) {
        self.policy = policy
    }

    /// Checks both keys and counts the attempt as a failure until `succeeded` clears it.
    public func begin(instanceID: Int64, username: String, address: String, now: Int64) -> Decision {
        let userKey = "u:\(instanceID):" + username.lowercased()
        let addressKey = "a:" + address
        return entries.withLock { entries -> Decision in
            prune(&entries, now: now)
            let userEntry = current(entries[userKey], now: now)
            let addressEntry = current(entries[addressKey], now: now)
            let lockedUntil = max(userEntry.lockedUntil, addressEntry.lockedUntil)
            if lockedUntil > now {
                return .locked(retryAfterSeconds: Int(lockedUntil - now))
            }

            var user = userEntry
            user.failures += 1
            if user.failures >= policy.lockUsernameAfter {
                user.lockedUntil = now + policy.lockSeconds
            }
            var address = addressEntry
            address.failures += 1
            if address.failures >= policy.lockAddressAfter {
                address.lockedUntil = now + policy.lockSeconds
            }
            entries[userKey] = user
            entries[addressKey] = address

            let excess = user.failures - policy.slowAfter
            return .proceed(failureDelayMilliseconds: excess > 0 ? excess * policy.delayStepMilliseconds : 0)
        }
    }

    /// Clears the username's count after a correct password; the address count stays.
    public func succeeded(instanceID: Int64, username: String, address: String) {
        let userKey = "u:\(instanceID):" + username.lowercased()
        let addressKey = "a:" + address
        entries.withLock { entries in
            entries[userKey] = nil
            // The attempt was counted against the address in `begin`; a success takes it back.
            if var entry = entries[addressKey], entry.failures > 0 {
                entry.failures -= 1
                entries[addressKey] = entry
            }
        }
    }

    /// Returns the entry as it is at `now`: a lock that has run out and failures older than the
    /// window both start a fresh count.
    /// Takes back an attempt that never reached the password check (the hashing pool was full),
    /// so that clients retrying a busy server do not lock themselves out.
    public func cancel(instanceID: Int64, username: String, address: String) {
        let userKey = "u:\(instanceID):" + username.lowercased()
        let addressKey = "a:" + address
        entries.withLock { entries in
            for key in [userKey, addressKey] {
                if var entry = entries[key], entry.failures > 0, entry.lockedUntil == 0 {
                    entry.failures -= 1
                    entries[key] = entry
                }
            }
        }
    }

    private func current(_ entry: Entry?, now: Int64) -> Entry {
        let fresh = Entry(failures: 0, firstFailureAt: now, lockedUntil: 0)
        guard let entry else { return fresh }
        if entry.lockedUntil != 0 && entry.lockedUntil <= now {
            return fresh
        }
        if entry.lockedUntil == 0 && now - entry.firstFailureAt >= policy.windowSeconds {
            return fresh
        }
        return entry
    }

    private func prune(_ entries: inout [String: Entry], now: Int64) {
        guard entries.count >= LoginThrottle.maxEntries else { return }
        entries = entries.filter { $0.value.lockedUntil > now || now - $0.value.firstFailureAt < policy.windowSeconds }
        if entries.count >= LoginThrottle.maxEntries {
            let keep = entries.sorted { $0.value.firstFailureAt > $1.value.firstFailureAt }.prefix(LoginThrottle.maxEntries / 2)
            entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}
