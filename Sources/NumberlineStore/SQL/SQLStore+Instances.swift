import NumberlineCore

// MARK: - Instances

extension SQLStore {
    public func createInstance(name: String) async throws -> Instance {
        try await write { db in
            try reportingDuplicate(field: "instance", value: name) {
                try db.run("INSERT INTO instances (name) VALUES (?)", [.text(name)])
            }
            return Instance(id: try db.lastInsertRowID, name: name)
        }
    }

    public func instance(named name: String) async throws -> Instance? {
        try await read { db in
            try db.queryFirst("SELECT id, name FROM instances WHERE name = ?", [.text(name)], row: Self.instance(from:))
        }
    }

    public func instances() async throws -> [Instance] {
        try await read { db in
            try db.query("SELECT id, name FROM instances ORDER BY id", row: Self.instance(from:))
        }
    }

    private static func instance(from row: SQLRow) -> Instance {
        Instance(id: row.int64(0), name: row.text(1) ?? "")
    }
}

// MARK: - API keys

extension SQLStore {
    static let apiKeyColumns = "id, instance_id, label, key_hash, created_at, revoked_at"

    public func createAPIKey(instanceID: Int64, label: String?, keyHash: String, createdAt: Int64) async throws -> APIKeyRecord {
        try await write { db in
            try requireInstance(instanceID, db)
            try reportingDuplicate(field: "keyHash", value: keyHash) {
                try db.run(
                    "INSERT INTO api_keys (instance_id, label, key_hash, created_at) VALUES (?, ?, ?, ?)",
                    [.integer(instanceID), SQLValue(label), .text(keyHash), .integer(createdAt)]
                )
            }
            return APIKeyRecord(
                id: try db.lastInsertRowID, instanceID: instanceID, label: label, keyHash: keyHash, createdAt: createdAt, revokedAt: nil
            )
        }
    }

    public func activeAPIKey(keyHash: String) async throws -> APIKeyRecord? {
        try await read { db in
            try db.queryFirst(
                "SELECT \(Self.apiKeyColumns) FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                [.text(keyHash)],
                row: Self.apiKey(from:)
            )
        }
    }

    public func apiKeys(instanceID: Int64) async throws -> [APIKeyRecord] {
        try await read { db in
            try db.query(
                "SELECT \(Self.apiKeyColumns) FROM api_keys WHERE instance_id = ? ORDER BY id",
                [.integer(instanceID)],
                row: Self.apiKey(from:)
            )
        }
    }

    /// Marks the key revoked. Revoking a revoked key keeps its first revocation time.
    public func revokeAPIKey(id: Int64, at time: Int64) async throws {
        try await write { db in
            let changed = try db.run(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
                [.integer(time), .integer(id)]
            )
            guard changed == 1 else {
                throw StoreError.notFound
            }
        }
    }

    static func apiKey(from row: SQLRow) -> APIKeyRecord {
        APIKeyRecord(
            id: row.int64(0),
            instanceID: row.int64(1),
            label: row.text(2),
            keyHash: row.text(3) ?? "",
            createdAt: row.int64(4),
            revokedAt: row.optionalInt64(5)
        )
    }

    /// Throws `StoreError.notFound` unless the instance exists.
    func requireInstance(_ instanceID: Int64, _ db: SQLConnection) throws {
        let exists = try db.queryFirst("SELECT 1 FROM instances WHERE id = ?", [.integer(instanceID)]) { _ in true } ?? false
        guard exists else {
            throw StoreError.notFound
        }
    }
}
