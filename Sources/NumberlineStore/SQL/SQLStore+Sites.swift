import NumberlineCore

extension SQLStore {
    private static let siteColumns = "s.id, s.customer_id, a.path, s.department_name"

    private static func site(from row: SQLRow) -> Site {
        Site(id: row.int64(0), customerID: row.int64(1), customerPath: row.text(2) ?? "", departmentName: row.text(3) ?? "")
    }

    public func sites(customerID: Int64, instanceID: Int64) async throws -> [Site] {
        try await read { db in
            try db.query(
                "SELECT \(Self.siteColumns) FROM sites s JOIN accounts a ON a.id = s.customer_id WHERE s.customer_id = ? AND s.instance_id = ? ORDER BY s.id",
                [.integer(customerID), .integer(instanceID)], row: Self.site(from:))
        }
    }

    public func site(id: Int64, instanceID: Int64) async throws -> Site? {
        try await read { db in
            try db.queryFirst(
                "SELECT \(Self.siteColumns) FROM sites s JOIN accounts a ON a.id = s.customer_id WHERE s.id = ? AND s.instance_id = ?",
                [.integer(id), .integer(instanceID)], row: Self.site(from:))
        }
    }

    public func createSite(customerID: Int64, instanceID: Int64, departmentName: String) async throws -> Site {
        try await write { db in
            guard
                let path = try db.queryFirst(
                    "SELECT path FROM accounts WHERE id = ? AND instance_id = ? AND kind = 'Customer'",
                    [.integer(customerID), .integer(instanceID)],
                    row: { $0.text(0) ?? "" })
            else {
                throw StoreError.notFound
            }
            try reportingDuplicate(field: "departmentName", value: departmentName) {
                try db.run(
                    "INSERT INTO sites (instance_id, customer_id, department_name, department_key) VALUES (?, ?, ?, ?)",
                    [.integer(instanceID), .integer(customerID), .text(departmentName), .text(FeatureRules.departmentKey(departmentName))])
            }
            let site = Site(id: try db.lastInsertRowID, customerID: customerID, customerPath: path, departmentName: departmentName)
            var trail = AuditTrail(instanceID: instanceID)
            trail.created(.site(site.id))
            try trail.commit(db)
            return site
        }
    }

    public func renameSite(id: Int64, instanceID: Int64, departmentName: String) async throws {
        try await write { db in
            var trail = AuditTrail(instanceID: instanceID)
            try trail.capture(.site(id), db)
            let changed = try reportingDuplicate(field: "departmentName", value: departmentName) {
                try db.run(
                    "UPDATE sites SET department_name = ?, department_key = ? WHERE id = ? AND instance_id = ?",
                    [.text(departmentName), .text(FeatureRules.departmentKey(departmentName)), .integer(id), .integer(instanceID)])
            }
            guard changed == 1 else {
                throw StoreError.notFound
            }
            try trail.commit(db)
        }
    }

    public func deleteSite(id: Int64, instanceID: Int64) async throws {
        try await write { db in
            let users = try assignedUsers(siteID: id, db)
            guard users == 0 else {
                throw StoreError.conflict(reason: "\(users) Microsoft Teams users are assigned to site \(id); move or remove them first")
            }
            var trail = AuditTrail(instanceID: instanceID)
            try trail.capture(.site(id), db)
            let changed = try db.run("DELETE FROM sites WHERE id = ? AND instance_id = ?", [.integer(id), .integer(instanceID)])
            guard changed == 1 else {
                throw StoreError.notFound
            }
            try trail.commit(db)
        }
    }

    public func siteAssignmentCount(siteID: Int64) async throws -> Int {
        try await read { db in
            try assignedUsers(siteID: siteID, db)
        }
    }

    private func assignedUsers(siteID: Int64, _ db: SQLConnection) throws -> Int {
        Int(try db.queryFirst("SELECT count(*) FROM teams_users WHERE site_id = ?", [.integer(siteID)]) { $0.int64(0) } ?? 0)
    }
}
