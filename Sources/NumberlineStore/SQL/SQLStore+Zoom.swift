import NumberlineCore

extension SQLStore {
    public func zoomPeerings(instanceID: Int64, customerID: Int64, after: String?, limit: Int) async throws -> [ZoomPeering] {
        try await read { db in
            try db.query(
                """
                SELECT z.id, z.customer_id, n.telephone_number, z.created_at
                FROM numbers n JOIN zoom_peerings z ON z.number_id = n.id
                WHERE n.account_id = ? AND n.instance_id = ? AND n.status = 'provisioned' AND n.telephone_number > ?
                    AND z.customer_id = ?
                ORDER BY n.telephone_number LIMIT ?
                """,
                [.integer(customerID), .integer(instanceID), .text(after ?? ""), .integer(customerID), .integer(Int64(limit))]
            ) { row in
                ZoomPeering(id: row.int64(0), customerID: row.int64(1), telephoneNumber: row.text(2) ?? "", createdAt: row.int64(3))
            }
        }
    }

    public func peerZoomNumbers(_ telephoneNumbers: [String], instanceID: Int64, customerID: Int64, time: Int64) async throws
        -> PeeringOutcome
    {
        do {
            return try await write { db in
                try requireLinked(customerID: customerID, column: "zoom_account_id", field: "zoomAccountId", db)
                var trail = AuditTrail(instanceID: instanceID)
                try trail.captureNumbers(telephoneNumbers, holderID: customerID, carrierID: nil, db)
                var rejections = RejectionList()
                for telephoneNumber in telephoneNumbers {
                    do {
                        let numberID = try provisionNumber(telephoneNumber, instanceID: instanceID, customerID: customerID, time: time, db)
                        try db.run(
                            "INSERT INTO zoom_peerings (instance_id, customer_id, number_id, created_at) VALUES (?, ?, ?, ?)",
                            [.integer(instanceID), .integer(customerID), .integer(numberID), .integer(time)])
                    } catch ProvisioningConflict.number(let number, let blocker) {
                        // Keep going so that one response lists every blocked number, because the rollback undoes the rest.
                        rejections.add(ProvisioningRejection(telephoneNumber: number, blocker: blocker))
                    }
                }
                try rejections.throwIfAny()
                try trail.commit(db)
                return .changed(telephoneNumbers.count)
            }
        } catch let rollback as PeeringRollback {
            return rollback.outcome
        }
    }

    public func unpeerZoomNumbers(_ telephoneNumbers: [String], instanceID: Int64, customerID: Int64, time: Int64) async throws
        -> PeeringOutcome
    {
        do {
            return try await write { db in
                var trail = AuditTrail(instanceID: instanceID)
                try trail.captureNumbers(telephoneNumbers, holderID: customerID, carrierID: nil, db)
                var rejections = RejectionList()
                for telephoneNumber in telephoneNumbers {
                    let deleted = try db.run(
                        """
                        DELETE FROM zoom_peerings WHERE customer_id = ? AND number_id =
                            (SELECT id FROM numbers WHERE instance_id = ? AND telephone_number = ?)
                        """,
                        [.integer(customerID), .integer(instanceID), .text(telephoneNumber)])
                    if deleted == 1 {
                        try releaseNumber(telephoneNumber, instanceID: instanceID, time: time, db)
                    } else {
                        rejections.add(ProvisioningRejection(telephoneNumber: telephoneNumber, blocker: .notPeered))
                    }
                }
                try rejections.throwIfAny()
                try trail.commit(db)
                return .changed(telephoneNumbers.count)
            }
        } catch let rollback as PeeringRollback {
            return rollback.outcome
        }
    }
}

/// Rejections of a bulk Zoom call, of which at most `NumberRules.maxListedRejections` are kept.
private struct RejectionList {
    var listed: [ProvisioningRejection] = []
    var total = 0

    mutating func add(_ rejection: ProvisioningRejection) {
        total += 1
        if listed.count < NumberRules.maxListedRejections {
            listed.append(rejection)
        }
    }

    /// Throws to roll the transaction back when any number was rejected.
    func throwIfAny() throws {
        if total > 0 {
            throw PeeringRollback(outcome: .rejected(rejections: listed, total: total))
        }
    }
}

/// Thrown inside a write transaction to roll it back while still returning `outcome`.
private struct PeeringRollback: Error {
    var outcome: PeeringOutcome
}
