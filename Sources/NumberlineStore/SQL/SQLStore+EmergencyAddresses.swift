import NumberlineCore

extension SQLStore {
    private static let addressColumns = """
        e.id, e.customer_id, a.path, e.name, e.street_number, e.street_name, e.address_type, e.address_description,
        e.country_code, e.postal_code, e.state_code, e.city
        """

    public func emergencyAddresses(customerID: Int64, instanceID: Int64) async throws -> [EmergencyAddress] {
        try await read { db in
            let addresses = try db.query(
                "SELECT \(Self.addressColumns) FROM emergency_addresses e JOIN accounts a ON a.id = e.customer_id WHERE e.customer_id = ? AND e.instance_id = ? ORDER BY e.id",
                [.integer(customerID), .integer(instanceID)], row: Self.address(from:))
            return try addresses.map { try withNumbers($0, db) }
        }
    }

    public func emergencyAddress(id: Int64, instanceID: Int64) async throws -> EmergencyAddress? {
        try await read { db in
            try emergencyAddress(id: id, instanceID: instanceID, db)
        }
    }

    public func createEmergencyAddress(
        _ address: CivicAddress, customerID: Int64, telephoneNumbers: [String], scope: FeatureScope
    ) async throws -> Result<EmergencyAddress, FeatureRejections> {
        try await write { db in
            let numberIDs: [Int64]
            switch try attachableNumbers(telephoneNumbers, addressID: nil, scope: scope, db) {
            case .success(let ids):
                numberIDs = ids
            case .failure(let rejections):
                return .failure(rejections)
            }
            var trail = AuditTrail(instanceID: scope.instanceID)
            try trail.captureNumbers(telephoneNumbers, holderID: nil, carrierID: nil, db)
            try db.run(
                """
                INSERT INTO emergency_addresses (instance_id, customer_id, name, street_number, street_name, address_type,
                    address_description, country_code, postal_code, state_code, city, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.integer(scope.instanceID), .integer(customerID)] + Self.values(address) + [.integer(scope.time)])
            let id = try db.lastInsertRowID
            try attach(numberIDs, to: id, db)
            guard let saved = try emergencyAddress(id: id, instanceID: scope.instanceID, db) else {
                throw StoreError.unavailable(reason: "the new emergency address \(id) cannot be read back")
            }
            trail.created(.emergencyAddress(id))
            try trail.commit(db)
            return .success(saved)
        }
    }

    public func updateEmergencyAddress(
        id: Int64, _ address: CivicAddress, telephoneNumbers: [String]?, scope: FeatureScope
    ) async throws -> Result<EmergencyAddress, FeatureRejections> {
        try await write { db in
            guard let current = try emergencyAddress(id: id, instanceID: scope.instanceID, db) else {
                throw StoreError.notFound
            }
            var numberIDs: [Int64]?
            if let telephoneNumbers {
                switch try attachableNumbers(telephoneNumbers, addressID: id, scope: scope, db) {
                case .success(let ids):
                    numberIDs = ids
                case .failure(let rejections):
                    return .failure(rejections)
                }
            }
            // The numbers detached and attached are recorded with the address.
            var trail = AuditTrail(instanceID: scope.instanceID)
            try trail.capture(.emergencyAddress(id), db)
            if let telephoneNumbers {
                let touched = Set(current.telephoneNumbers).union(telephoneNumbers).sorted()
                try trail.captureNumbers(touched, holderID: nil, carrierID: nil, db)
            }
            try db.run(
                """
                UPDATE emergency_addresses SET name = ?, street_number = ?, street_name = ?, address_type = ?, address_description = ?,
                    country_code = ?, postal_code = ?, state_code = ?, city = ?, updated_at = ?
                WHERE id = ?
                """,
                Self.values(address) + [.integer(scope.time), .integer(id)])
            if let numberIDs {
                try db.run("DELETE FROM emergency_address_numbers WHERE address_id = ?", [.integer(id)])
                try attach(numberIDs, to: id, db)
            }
            guard let saved = try emergencyAddress(id: id, instanceID: scope.instanceID, db) else {
                throw StoreError.notFound
            }
            try trail.commit(db)
            return .success(saved)
        }
    }

    public func deleteEmergencyAddress(id: Int64, instanceID: Int64) async throws {
        try await write { db in
            guard let address = try emergencyAddress(id: id, instanceID: instanceID, db) else {
                throw StoreError.notFound
            }
            guard address.telephoneNumbers.isEmpty else {
                throw StoreError.conflict(
                    reason:
                        "\(address.telephoneNumbers.count) numbers use emergency address \(id); attach them to another address or detach them first"
                )
            }
            var trail = AuditTrail(instanceID: instanceID)
            try trail.capture(.emergencyAddress(id), db)
            try db.run("DELETE FROM emergency_addresses WHERE id = ?", [.integer(id)])
            try trail.commit(db)
        }
    }

    // MARK: - Helpers

    /// Resolves numbers to attach to the address `addressID` (nil for a new one): each must lie
    /// inside `scope` and use no other address.
    private func attachableNumbers(
        _ telephoneNumbers: [String], addressID: Int64?, scope: FeatureScope, _ db: SQLConnection
    ) throws -> Result<[Int64], FeatureRejections> {
        let resolved = try scopedNumberIDs(telephoneNumbers, scope: scope, db)
        guard resolved.rejections.isEmpty else {
            return .failure(FeatureRejections(resolved.rejections))
        }
        let currents = try db.queryFirstOfEach(
            resolved.ids.map { SQLStatement("SELECT address_id FROM emergency_address_numbers WHERE number_id = ?", [.integer($0)]) }
        ) { $0.int64(0) }
        var rejections: [FeatureRejection] = []
        for (telephoneNumber, current) in zip(telephoneNumbers, currents) {
            if let current, current != addressID {
                rejections.append(
                    FeatureRejection(
                        telephoneNumber: telephoneNumber,
                        reason: .attachedElsewhere("The number already uses emergency address \(current); detach it there first.")))
            }
        }
        guard rejections.isEmpty else {
            return .failure(FeatureRejections(rejections))
        }
        return .success(resolved.ids)
    }

    private func attach(_ numberIDs: [Int64], to addressID: Int64, _ db: SQLConnection) throws {
        try db.runEach(
            numberIDs.map {
                SQLStatement(
                    "INSERT INTO emergency_address_numbers (number_id, address_id) VALUES (?, ?)", [.integer($0), .integer(addressID)])
            })
    }

    private func emergencyAddress(id: Int64, instanceID: Int64, _ db: SQLConnection) throws -> EmergencyAddress? {
        let address = try db.queryFirst(
            "SELECT \(Self.addressColumns) FROM emergency_addresses e JOIN accounts a ON a.id = e.customer_id WHERE e.id = ? AND e.instance_id = ?",
            [.integer(id), .integer(instanceID)], row: Self.address(from:))
        return try address.map { try withNumbers($0, db) }
    }

    private func withNumbers(_ address: EmergencyAddress, _ db: SQLConnection) throws -> EmergencyAddress {
        var result = address
        result.telephoneNumbers = try db.query(
            """
            SELECT n.telephone_number FROM emergency_address_numbers m JOIN numbers n ON n.id = m.number_id
            WHERE m.address_id = ? ORDER BY n.telephone_number
            """,
            [.integer(address.id)]
        ) { $0.text(0) ?? "" }
        return result
    }

    private static func values(_ address: CivicAddress) -> [SQLValue] {
        [
            .text(address.name), .text(address.streetNumber), .text(address.streetName), SQLValue(address.addressType?.rawValue),
            SQLValue(address.addressDescription), .text(address.countryCode), .text(address.postalCode), .text(address.stateCode),
            .text(address.city),
        ]
    }

    private static func address(from row: SQLRow) -> EmergencyAddress {
        let civic = CivicAddress(
            name: row.text(3) ?? "", streetNumber: row.text(4) ?? "", streetName: row.text(5) ?? "",
            addressType: row.text(6).flatMap(EmergencyAddressType.init(rawValue:)), addressDescription: row.text(7),
            countryCode: row.text(8) ?? "", postalCode: row.text(9) ?? "", stateCode: row.text(10) ?? "", city: row.text(11) ?? "")
        return EmergencyAddress(
            id: row.int64(0), customerID: row.int64(1), customerPath: row.text(2) ?? "", address: civic, telephoneNumbers: [])
    }
}
