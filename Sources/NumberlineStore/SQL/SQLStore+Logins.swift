import NumberlineCore

// MARK: - Logins

extension SQLStore {
    static let loginColumns = "id, instance_id, account_id, username, password_hash, first_name, last_name, email, phone_number"

    public func createAdminLogin(instanceID: Int64, login: NewLogin) async throws -> Login {
        try await write { db in
            try requireInstance(instanceID, db)
            return try insertLogin(login, instanceID: instanceID, accountID: nil, db)
        }
    }

    public func login(instanceID: Int64, username: String) async throws -> Login? {
        try await read { db in
            try db.queryFirst(
                "SELECT \(Self.loginColumns) FROM logins WHERE instance_id = ? AND username = ?",
                [.integer(instanceID), .text(username)],
                row: Self.login(from:)
            )
        }
    }

    public func login(id: Int64) async throws -> Login? {
        try await read { db in
            try db.queryFirst("SELECT \(Self.loginColumns) FROM logins WHERE id = ?", [.integer(id)], row: Self.login(from:))
        }
    }

    public func logins(accountID: Int64) async throws -> [Login] {
        try await readOne { db in
            try logins(accountID: accountID, db)
        }
    }

    public func logins(instanceID: Int64, pathPrefix: String) async throws -> [Login] {
        let range = PathRange(prefix: pathPrefix)
        let columns = "l.id, l.instance_id, l.account_id, l.username, l.password_hash, l.first_name, l.last_name, l.email, l.phone_number"
        return try await readOne { db in
            try db.query(
                """
                SELECT \(columns) FROM logins l JOIN accounts a ON a.id = l.account_id
                WHERE a.instance_id = ? AND a.path >= ? AND a.path < ? ORDER BY l.id
                """,
                [.integer(instanceID)] + range.values,
                row: Self.login(from:)
            )
        }
    }

    func logins(accountID: Int64, _ db: SQLConnection) throws -> [Login] {
        try db.query(
            "SELECT \(Self.loginColumns) FROM logins WHERE account_id = ? ORDER BY id",
            [.integer(accountID)],
            row: Self.login(from:)
        )
    }

    /// Inserts one login. A username taken in the instance throws `.duplicate(field: "username", …)`.
    func insertLogin(_ login: NewLogin, instanceID: Int64, accountID: Int64?, _ db: SQLConnection) throws -> Login {
        try reportingDuplicate(field: "username", value: login.username) {
            try db.run(
                """
                INSERT INTO logins (instance_id, account_id, username, password_hash, first_name, last_name, email, phone_number)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(instanceID), SQLValue(accountID), .text(login.username), .text(login.passwordHash),
                    SQLValue(login.firstName), SQLValue(login.lastName), SQLValue(login.email),
                    SQLValue(login.phoneNumber),
                ]
            )
        }
        return Login(
            id: try db.lastInsertRowID, instanceID: instanceID, accountID: accountID, username: login.username,
            passwordHash: login.passwordHash, firstName: login.firstName, lastName: login.lastName,
            email: login.email, phoneNumber: login.phoneNumber
        )
    }

    /// Applies a `LoginUpdate.replace` set to the logins of one account, as `LoginUpdate` documents.
    func replaceLogins(_ changes: [LoginChange], account: Account, _ db: SQLConnection) throws {
        var seen = Set<String>()
        for change in changes where !seen.insert(change.username).inserted {
            throw StoreError.duplicate(field: "username", value: change.username)
        }

        let existing = try logins(accountID: account.id, db)
        let existingByUsername = Dictionary(existing.map { ($0.username, $0) }, uniquingKeysWith: { first, _ in first })

        for login in existing where !seen.contains(login.username) {
            try db.run("DELETE FROM access_tokens WHERE login_id = ?", [.integer(login.id)])
            try db.run("DELETE FROM logins WHERE id = ?", [.integer(login.id)])
        }

        for change in changes {
            if let current = existingByUsername[change.username] {
                let passwordHash = change.passwordHash ?? current.passwordHash
                try db.run(
                    """
                    UPDATE logins SET password_hash = ?, first_name = ?, last_name = ?, email = ?, phone_number = ?
                    WHERE id = ?
                    """,
                    [
                        .text(passwordHash), SQLValue(change.firstName), SQLValue(change.lastName),
                        SQLValue(change.email), SQLValue(change.phoneNumber), .integer(current.id),
                    ]
                )
                if passwordHash != current.passwordHash {
                    try db.run("DELETE FROM access_tokens WHERE login_id = ?", [.integer(current.id)])
                }
            } else {
                guard let passwordHash = change.passwordHash else {
                    throw StoreError.conflict(reason: "new login \"\(change.username)\" has no password")
                }
                let login = NewLogin(
                    username: change.username, passwordHash: passwordHash, firstName: change.firstName,
                    lastName: change.lastName, email: change.email, phoneNumber: change.phoneNumber
                )
                _ = try insertLogin(login, instanceID: account.instanceID, accountID: account.id, db)
            }
        }
    }

    static func login(from row: SQLRow) -> Login {
        Login(
            id: row.int64(0),
            instanceID: row.int64(1),
            accountID: row.optionalInt64(2),
            username: row.text(3) ?? "",
            passwordHash: row.text(4) ?? "",
            firstName: row.text(5),
            lastName: row.text(6),
            email: row.text(7),
            phoneNumber: row.text(8)
        )
    }
}

// MARK: - Access tokens

extension SQLStore {
    /// Stores a token. Throws `.notFound` for an unknown login and `.conflict` when the
    /// login belongs to another instance than the token.
    public func storeToken(_ token: AccessTokenRecord) async throws {
        try await write { db in
            let loginInstance = try db.queryFirst("SELECT instance_id FROM logins WHERE id = ?", [.integer(token.loginID)]) {
                $0.int64(0)
            }
            guard let loginInstance else {
                throw StoreError.notFound
            }
            guard loginInstance == token.instanceID else {
                throw StoreError.conflict(
                    reason: "login \(token.loginID) belongs to instance \(loginInstance), not \(token.instanceID)"
                )
            }
            try reportingDuplicate(field: "tokenHash", value: token.tokenHash) {
                try db.run(
                    "INSERT INTO access_tokens (token_hash, instance_id, login_id, expires_at) VALUES (?, ?, ?, ?)",
                    [.text(token.tokenHash), .integer(token.instanceID), .integer(token.loginID), .integer(token.expiresAt)]
                )
            }
        }
    }

    public func validToken(tokenHash: String, now: Int64) async throws -> AccessTokenRecord? {
        try await read { db in
            try db.queryFirst(
                "SELECT token_hash, instance_id, login_id, expires_at FROM access_tokens WHERE token_hash = ? AND expires_at > ?",
                [.text(tokenHash), .integer(now)]
            ) { row in
                AccessTokenRecord(
                    tokenHash: row.text(0) ?? "", instanceID: row.int64(1), loginID: row.int64(2), expiresAt: row.int64(3)
                )
            }
        }
    }

    public func credentials(keyHash: String, tokenHash: String, now: Int64) async throws -> Result<Credentials, CredentialsProblem> {
        try await read { db in
            let apiKey = try db.queryFirst(
                "SELECT \(Self.apiKeyColumns) FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                [.text(keyHash)],
                row: Self.apiKey(from:)
            )
            guard let apiKey else { return .failure(.unknownAPIKey) }
            let token = try db.queryFirst(
                "SELECT token_hash, instance_id, login_id, expires_at FROM access_tokens WHERE token_hash = ? AND expires_at > ?",
                [.text(tokenHash), .integer(now)]
            ) { row in
                AccessTokenRecord(tokenHash: row.text(0) ?? "", instanceID: row.int64(1), loginID: row.int64(2), expiresAt: row.int64(3))
            }
            guard let token, token.instanceID == apiKey.instanceID else { return .failure(.invalidToken) }
            let login = try db.queryFirst(
                "SELECT \(Self.loginColumns) FROM logins WHERE id = ?", [.integer(token.loginID)], row: Self.login(from:))
            guard let login else { return .failure(.missingLogin) }
            guard let accountID = login.accountID else {
                return .success(Credentials(apiKey: apiKey, token: token, login: login, account: nil, parent: nil, accountLogins: []))
            }
            guard let account = try account(id: accountID, instanceID: login.instanceID, db) else { return .failure(.missingLogin) }
            var parent: Account?
            if account.kind == .user, let parentID = account.parentID {
                parent = try self.account(id: parentID, instanceID: login.instanceID, db)
                guard parent != nil else { return .failure(.missingLogin) }
            }
            let accountLogins = try logins(accountID: account.id, db)
            return .success(
                Credentials(apiKey: apiKey, token: token, login: login, account: account, parent: parent, accountLogins: accountLogins))
        }
    }

    public func purgeExpiredTokens(now: Int64) async throws -> Int {
        try await write { db in
            try db.run("DELETE FROM access_tokens WHERE expires_at <= ?", [.integer(now)])
        }
    }

    // MARK: - Login throttle

    public func updateThrottleCounts<Result>(
        keys: [String], forgetBefore: Int64, _ update: ([String: ThrottleCount]) -> (counts: [String: ThrottleCount], result: Result)
    ) async throws -> Result {
        // One call in 64 also deletes counts past their window and expired locks, so the table stays small
        // without a timer.
        let prunes = UInt8.random(in: 0..<64) == 0
        return try await write { db in
            var stored: [String: ThrottleCount] = [:]
            for key in keys {
                stored[key] = try db.queryFirst(
                    "SELECT failures, first_failure_at, locked_until FROM login_throttle WHERE key = ?", [.text(key)]
                ) { ThrottleCount(failures: Int($0.int64(0)), firstFailureAt: $0.int64(1), lockedUntil: $0.int64(2)) }
            }
            let (counts, result) = update(stored)
            for key in keys {
                guard let count = counts[key] else {
                    if stored[key] != nil {
                        try db.run("DELETE FROM login_throttle WHERE key = ?", [.text(key)])
                    }
                    continue
                }
                guard count != stored[key] else {
                    continue
                }
                try db.run(
                    """
                    INSERT INTO login_throttle (key, failures, first_failure_at, locked_until) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
                        first_failure_at = excluded.first_failure_at, locked_until = excluded.locked_until
                    """,
                    [.text(key), .integer(Int64(count.failures)), .integer(count.firstFailureAt), .integer(count.lockedUntil)])
            }
            if prunes {
                try db.run(
                    "DELETE FROM login_throttle WHERE first_failure_at < ? AND locked_until < ?",
                    [.integer(forgetBefore), .integer(Self.now())])
            }
            return result
        }
    }
}
