import NumberlineStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Recently resolved credentials, so that a burst of requests with one token costs one
/// database read instead of one per request.
///
/// An entry lives at most `lifetime`, so a change made elsewhere (an API key revoked with the
/// CLI, a password changed through another node) takes effect within that time. Changes made
/// through this server call `invalidateAll()` and take effect at once.
final class CredentialCache: Sendable {
    private struct Entry {
        var credentials: Credentials
        var storedAt: UInt64
        var generation: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var generation: UInt64 = 0
    }

    /// Entries kept at most; a full cache is emptied rather than scanned.
    private static let maxEntries = 50_000

    private let state = Mutex(State())
    /// Nanoseconds an entry stays valid; 0 turns the cache off.
    private let lifetime: UInt64

    init(lifetimeMilliseconds: Int) {
        lifetime = UInt64(max(0, lifetimeMilliseconds)) * 1_000_000
    }

    /// Returns the cached credentials for this key and token pair if still fresh and unexpired,
    /// and the generation to pass to `store` after a miss.
    func lookup(_ key: String, now: Int64) -> (Credentials?, generation: UInt64) {
        guard lifetime > 0 else { return (nil, 0) }
        return state.withLock { state -> (Credentials?, generation: UInt64) in
            guard let entry = state.entries[key] else { return (nil, state.generation) }
            // Read under the lock: a clock read before it could be older than a `storedAt`
            // written meanwhile, and the unsigned difference would overflow.
            let clock = CredentialCache.monotonicNanoseconds()
            guard entry.generation == state.generation, clock &- entry.storedAt < lifetime, entry.credentials.token.expiresAt > now else {
                state.entries[key] = nil
                return (nil, state.generation)
            }
            return (entry.credentials, state.generation)
        }
    }

    /// Keeps credentials read after a miss, unless something changed since that `lookup`:
    /// then they may predate the change and are dropped.
    func store(_ credentials: Credentials, for key: String, generation: UInt64) {
        guard lifetime > 0 else { return }
        state.withLock { state in
            guard state.generation == generation else { return }
            let clock = CredentialCache.monotonicNanoseconds()
            if state.entries.count >= CredentialCache.maxEntries {
                state.entries.removeAll(keepingCapacity: true)
            }
            state.entries[key] = Entry(credentials: credentials, storedAt: clock, generation: generation)
        }
    }

    /// Forgets every entry; called after any change to accounts, logins or keys.
    func invalidateAll() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
