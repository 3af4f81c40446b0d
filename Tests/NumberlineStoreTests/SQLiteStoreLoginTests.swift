import NumberlineCore
import Testing

@testable import NumberlineStore

@Suite struct SQLiteStoreLoginTests {
    @Test func instanceRoundTrip() async throws {
        try await withTemporaryStore { store in
            let first = try await store.createInstance(name: "alpha")
            let second = try await store.createInstance(name: "beta")

            #expect(first.name == "alpha")
            #expect(second.id != first.id)
            #expect(try await store.instance(named: "alpha") == first)
            #expect(try await store.instance(named: "gamma") == nil)
            #expect(try await store.instances() == [first, second])
        }
    }

    @Test func duplicateInstanceName() async throws {
        try await withTemporaryStore { store in
            _ = try await store.createInstance(name: "alpha")
            await #expect(throws: StoreError.duplicate(field: "instance", value: "alpha")) {
                try await store.createInstance(name: "alpha")
            }
        }
    }

    @Test func apiKeyRoundTripAndRevoke() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let key = try await store.createAPIKey(instanceID: instance.id, label: "ops", keyHash: "abc123", createdAt: 1_000)
            let unlabeled = try await store.createAPIKey(instanceID: instance.id, label: nil, keyHash: "def456", createdAt: 1_001)

            #expect(
                key == APIKeyRecord(id: key.id, instanceID: instance.id, label: "ops", keyHash: "abc123", createdAt: 1_000, revokedAt: nil))
            #expect(try await store.activeAPIKey(keyHash: "abc123") == key)
            #expect(try await store.apiKeys(instanceID: instance.id) == [key, unlabeled])

            try await store.revokeAPIKey(id: key.id, at: 2_000)
            try await store.revokeAPIKey(id: key.id, at: 3_000)
            #expect(try await store.activeAPIKey(keyHash: "abc123") == nil)
            #expect(try await store.apiKeys(instanceID: instance.id).first?.revokedAt == 2_000)
            #expect(try await store.activeAPIKey(keyHash: "def456") == unlabeled)

            await #expect(throws: StoreError.notFound) {
                try await store.revokeAPIKey(id: 9_999, at: 2_000)
            }
            await #expect(throws: StoreError.duplicate(field: "keyHash", value: "def456")) {
                try await store.createAPIKey(instanceID: instance.id, label: nil, keyHash: "def456", createdAt: 1)
            }
            await #expect(throws: StoreError.notFound) {
                try await store.createAPIKey(instanceID: 9_999, label: nil, keyHash: "new", createdAt: 1)
            }
        }
    }

    @Test func adminLoginRoundTrip() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let login = try await store.createAdminLogin(
                instanceID: instance.id,
                login: NewLogin(
                    username: "root", passwordHash: "$argon2id$x", firstName: "Ada", lastName: nil, email: "", phoneNumber: "15550001111")
            )

            #expect(login.isPlatformAdmin)
            #expect(login.username == "root")
            #expect(login.passwordHash == "$argon2id$x")
            #expect(login.firstName == "Ada")
            #expect(login.lastName == nil)
            #expect(login.email == "")
            #expect(login.phoneNumber == "15550001111")
            #expect(try await store.login(id: login.id) == login)
            #expect(try await store.login(instanceID: instance.id, username: "root") == login)
            #expect(try await store.login(instanceID: instance.id, username: "Root") == nil)
        }
    }

    @Test func duplicateUsername() async throws {
        try await withTemporaryStore { store in
            let alpha = try await store.createInstance(name: "alpha")
            let beta = try await store.createInstance(name: "beta")
            _ = try await store.createAdminLogin(instanceID: alpha.id, login: NewLogin(username: "root", passwordHash: "h"))

            await #expect(throws: StoreError.duplicate(field: "username", value: "root")) {
                try await store.createAdminLogin(instanceID: alpha.id, login: NewLogin(username: "root", passwordHash: "h2"))
            }
            let reseller = try await store.makeReseller(instanceID: alpha.id, username: "shop")
            await #expect(throws: StoreError.duplicate(field: "username", value: "root")) {
                try await store.makeChild(of: reseller, username: "root")
            }
            // The failed create rolled back: only the reseller exists.
            #expect(try await store.accounts(instanceID: alpha.id, pathPrefix: "/", kind: nil).map(\.id) == [reseller.id])

            let other = try await store.createAdminLogin(instanceID: beta.id, login: NewLogin(username: "root", passwordHash: "h3"))
            #expect(other.instanceID == beta.id)
        }
    }

    @Test func tokenRoundTripAndExpiry() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let login = try await store.createAdminLogin(instanceID: instance.id, login: NewLogin(username: "root", passwordHash: "h"))
            let live = AccessTokenRecord(tokenHash: "live", instanceID: instance.id, loginID: login.id, expiresAt: 2_000)
            let stale = AccessTokenRecord(tokenHash: "stale", instanceID: instance.id, loginID: login.id, expiresAt: 1_000)
            try await store.storeToken(live)
            try await store.storeToken(stale)

            #expect(try await store.validToken(tokenHash: "live", now: 1_500) == live)
            #expect(try await store.validToken(tokenHash: "live", now: 2_000) == nil)
            #expect(try await store.validToken(tokenHash: "stale", now: 1_500) == nil)
            #expect(try await store.validToken(tokenHash: "missing", now: 0) == nil)

            #expect(try await store.purgeExpiredTokens(now: 1_500) == 1)
            #expect(try await store.purgeExpiredTokens(now: 1_500) == 0)
            #expect(try await store.validToken(tokenHash: "stale", now: 0) == nil)
            #expect(try await store.validToken(tokenHash: "live", now: 0) == live)

            await #expect(throws: StoreError.duplicate(field: "tokenHash", value: "live")) {
                try await store.storeToken(live)
            }
            await #expect(throws: StoreError.notFound) {
                try await store.storeToken(AccessTokenRecord(tokenHash: "x", instanceID: instance.id, loginID: 9_999, expiresAt: 1))
            }
        }
    }

    @Test func tokenForLoginOfOtherInstance() async throws {
        try await withTemporaryStore { store in
            let alpha = try await store.createInstance(name: "alpha")
            let beta = try await store.createInstance(name: "beta")
            let login = try await store.createAdminLogin(instanceID: alpha.id, login: NewLogin(username: "root", passwordHash: "h"))

            await #expect(throws: StoreError.self) {
                try await store.storeToken(AccessTokenRecord(tokenHash: "t", instanceID: beta.id, loginID: login.id, expiresAt: 10))
            }
            #expect(try await store.validToken(tokenHash: "t", now: 0) == nil)
        }
    }
}
