import NumberlineCore

// MARK: - Reading Teams users and numbers

extension SQLStore {
    /// Columns read by `teamsUser(from:at:)`, on the aliases `u` (teams_users) and `n` (numbers).
    private static let userColumns = "u.id, u.customer_id, u.upn, u.first_name, u.last_name, u.note, u.site_id, n.telephone_number"

    public func teamsUsers(instanceID: Int64, customerID: Int64, afterID: Int64?, limit: Int) async throws -> [TeamsUser] {
        try await read { db in
            try db.query(
                """
                SELECT \(Self.userColumns) FROM teams_users u JOIN numbers n ON n.id = u.number_id
                WHERE u.instance_id = ? AND u.customer_id = ? AND u.id > ? ORDER BY u.id LIMIT ?
                """,
                [.integer(instanceID), .integer(customerID), .integer(afterID ?? 0), .integer(Int64(limit))]
            ) { Self.teamsUser(from: $0, at: 0) }.compactMap { $0 }
        }
    }

    public func teamsUser(id: Int64, instanceID: Int64, customerID: Int64) async throws -> TeamsUser? {
        try await read { db in
            try teamsUser(id: id, instanceID: instanceID, customerID: customerID, db)
        }
    }

    private func teamsUser(id: Int64, instanceID: Int64, customerID: Int64, _ db: SQLConnection) throws -> TeamsUser? {
        try db.queryFirst(
            """
            SELECT \(Self.userColumns) FROM teams_users u JOIN numbers n ON n.id = u.number_id
            WHERE u.id = ? AND u.instance_id = ? AND u.customer_id = ?
            """,
            [.integer(id), .integer(instanceID), .integer(customerID)]
        ) { Self.teamsUser(from: $0, at: 0) } ?? nil
    }

    /// Reads the eight `userColumns` starting at column `first`; `nil` when the user id is NULL.
    private static func teamsUser(from row: SQLRow, at first: Int32) -> TeamsUser? {
        guard let id = row.optionalInt64(first) else {
            return nil
        }
        return TeamsUser(
            id: id, customerID: row.int64(first + 1), upn: row.text(first + 2) ?? "", firstName: row.text(first + 3),
            lastName: row.text(first + 4), note: row.text(first + 5), siteID: row.optionalInt64(first + 6),
            telephoneNumber: row.text(first + 7) ?? "")
    }

    public func teamsNumbers(
        instanceID: Int64, customerID: Int64, filter: TeamsNumberFilter, after: String?, limit: Int
    ) async throws -> [TeamsNumber] {
        // Every filter reads one holder's numbers in telephone-number order from an index:
        // numbers_account_status for one status, numbers_account_number for both.
        var condition: String
        switch filter {
        case .all:
            condition = "z.id IS NULL"
        case .available:
            condition = "n.status = 'assigned'"
        case .assigned:
            condition = "n.status = 'provisioned' AND u.id IS NOT NULL"
        }
        let sql = """
            SELECT n.telephone_number, n.type, n.sub_type, n.order_type, n.route_label, n.activated_at,
                u.id, u.customer_id, u.upn, u.first_name, u.last_name, u.note, u.site_id, n.telephone_number,
                c.calling_name, e.address_id
            FROM numbers n
            LEFT JOIN teams_users u ON u.number_id = n.id
            LEFT JOIN zoom_peerings z ON z.number_id = n.id
            LEFT JOIN caller_names c ON c.number_id = n.id
            LEFT JOIN emergency_address_numbers e ON e.number_id = n.id
            WHERE n.account_id = ? AND n.instance_id = ? AND n.telephone_number > ? AND \(condition)
            ORDER BY n.telephone_number LIMIT ?
            """
        return try await readOne { db in
            try db.query(sql, [.integer(customerID), .integer(instanceID), .text(after ?? ""), .integer(Int64(limit))]) { row in
                TeamsNumber(
                    telephoneNumber: row.text(0) ?? "",
                    attributes: NumberAttributes(type: row.text(1), subType: row.text(2), orderType: row.text(3), routeLabel: row.text(4)),
                    activatedAt: row.optionalInt64(5),
                    user: Self.teamsUser(from: row, at: 6), callingName: row.text(14), emergencyAddressID: row.optionalInt64(15))
            }
        }
    }
}

// MARK: - Changing Teams users

extension SQLStore {
    public func createTeamsUser(_ user: NewTeamsUser, instanceID: Int64, customerID: Int64, time: Int64) async throws -> TeamsUser {
        try await write { db in
            try requireLinked(customerID: customerID, column: "ms_teams_tenant_id", field: "msTeamsTenantId", db)
            var trail = AuditTrail(instanceID: instanceID)
            try trail.capture(.number(user.telephoneNumber), db)
            let numberID = try provisionNumber(user.telephoneNumber, instanceID: instanceID, customerID: customerID, time: time, db)
            try reportingDuplicateUPN(user.upn) {
                try db.run(
                    """
                    INSERT INTO teams_users (instance_id, customer_id, upn, first_name, last_name, note, site_id, number_id, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .integer(instanceID), .integer(customerID), .text(user.upn), SQLValue(user.firstName),
                        SQLValue(user.lastName),
                        SQLValue(user.note), SQLValue(user.siteID), .integer(numberID), .integer(time), .integer(time),
                    ])
            }
            let id = try db.lastInsertRowID
            trail.created(.teamsUser(id))
            try trail.commit(db)
            return TeamsUser(
                id: id, customerID: customerID, upn: user.upn, firstName: user.firstName, lastName: user.lastName,
                note: user.note, siteID: user.siteID, telephoneNumber: user.telephoneNumber)
        }
    }

    public func updateTeamsUser(_ user: TeamsUser, instanceID: Int64, time: Int64) async throws {
        try await write { db in
            guard let stored = try teamsUser(id: user.id, instanceID: instanceID, customerID: user.customerID, db) else {
                throw StoreError.notFound
            }
            var trail = AuditTrail(instanceID: instanceID)
            try trail.capture(.teamsUser(user.id), db)
            try trail.capture(.number(stored.telephoneNumber), db)
            if stored.telephoneNumber != user.telephoneNumber {
                try trail.capture(.number(user.telephoneNumber), db)
            }
            if stored.telephoneNumber != user.telephoneNumber {
                try releaseNumber(stored.telephoneNumber, instanceID: instanceID, time: time, db)
                let numberID = try provisionNumber(
                    user.telephoneNumber, instanceID: instanceID, customerID: user.customerID, time: time, db)
                try db.run("UPDATE teams_users SET number_id = ? WHERE id = ?", [.integer(numberID), .integer(user.id)])
            }
            try reportingDuplicateUPN(user.upn) {
                try db.run(
                    "UPDATE teams_users SET upn = ?, first_name = ?, last_name = ?, note = ?, site_id = ?, updated_at = ? WHERE id = ?",
                    [
                        .text(user.upn), SQLValue(user.firstName), SQLValue(user.lastName), SQLValue(user.note),
                        SQLValue(user.siteID), .integer(time), .integer(user.id),
                    ])
            }
            try trail.commit(db)
        }
    }

    public func deleteTeamsUser(id: Int64, instanceID: Int64, customerID: Int64, time: Int64) async throws {
        try await write { db in
            guard let stored = try teamsUser(id: id, instanceID: instanceID, customerID: customerID, db) else {
                throw StoreError.notFound
            }
            var trail = AuditTrail(instanceID: instanceID)
            try trail.capture(.teamsUser(id), db)
            try trail.capture(.number(stored.telephoneNumber), db)
            try db.run("DELETE FROM teams_users WHERE id = ?", [.integer(id)])
            try releaseNumber(stored.telephoneNumber, instanceID: instanceID, time: time, db)
            try trail.commit(db)
        }
    }

    /// Moves a number held by the customer itself from `assigned` to `provisioned` and returns
    /// its row id. The conditional update is what decides between concurrent provisioning calls.
    func provisionNumber(_ telephoneNumber: String, instanceID: Int64, customerID: Int64, time: Int64, _ db: SQLConnection) throws
        -> Int64
    {
        let changed = try db.run(
            """
            UPDATE numbers SET status = 'provisioned', updated_at = ?
            WHERE instance_id = ? AND telephone_number = ? AND account_id = ? AND status = 'assigned'
            """,
            [.integer(time), .integer(instanceID), .text(telephoneNumber), .integer(customerID)])
        let row = try db.queryFirst(
            """
            SELECT n.id, n.account_id, u.id, z.id FROM numbers n
            LEFT JOIN teams_users u ON u.number_id = n.id LEFT JOIN zoom_peerings z ON z.number_id = n.id
            WHERE n.instance_id = ? AND n.telephone_number = ?
            """,
            [.integer(instanceID), .text(telephoneNumber)]
        ) { row in (id: row.int64(0), accountID: row.int64(1), userID: row.optionalInt64(2), peeringID: row.optionalInt64(3)) }

        guard let row, row.accountID == customerID else {
            throw ProvisioningConflict.number(telephoneNumber, .notHeldByCustomer)
        }
        guard changed == 1 else {
            throw ProvisioningConflict.number(telephoneNumber, row.peeringID != nil ? .zoomPeering : .teamsUser)
        }
        return row.id
    }

    /// Returns a provisioned number to its holder's pool with status `assigned`.
    func releaseNumber(_ telephoneNumber: String, instanceID: Int64, time: Int64, _ db: SQLConnection) throws {
        try db.run(
            """
            UPDATE numbers SET status = 'assigned', updated_at = ?
            WHERE instance_id = ? AND telephone_number = ? AND status = 'provisioned'
            """,
            [.integer(time), .integer(instanceID), .text(telephoneNumber)])
    }

    private func reportingDuplicateUPN(_ upn: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as any DatabaseFailure where error.isUniqueViolation {
            throw ProvisioningConflict.duplicateUPN(upn)
        }
    }
}

// MARK: - Linked accounts

extension SQLStore {
    /// Throws `.conflict` unless the customer's Teams tenant id or Zoom account id, named by
    /// `column`, is set. Callers check the id before the write as well. This check runs inside
    /// the write transaction, so an update that clears the id cannot race with provisioning.
    func requireLinked(customerID: Int64, column: String, field: String, _ db: SQLConnection) throws {
        let value = try db.queryFirst("SELECT \(column) FROM accounts WHERE id = ?", [.integer(customerID)]) { $0.text(0) } ?? nil
        guard value != nil else {
            throw StoreError.conflict(
                reason:
                    "Customer \(customerID) has no \(field) now; set customerAccount.\(field) with PUT /v1/accounts/\(customerID) and retry."
            )
        }
    }
}
