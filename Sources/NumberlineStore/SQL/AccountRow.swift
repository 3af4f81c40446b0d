import NumberlineCore

/// The mapping between `Account` and the flat columns of the `accounts` table.
///
/// `profileColumns` and `profileValues(_:)` / `profile(from:)` list the profile fields in the
/// same order, so change the three together.
enum AccountRow {
    static let moduleColumns = ["module_did", "module_msteam", "module_ucaas", "module_enhanced_services", "module_stats"]

    static let profileColumns: [String] =
        ["company_name"]
        + addressColumns(prefix: "address")
        + [
            "notification_email", "agent", "agent_email", "customer_contracting_entity", "end_customer_name",
            "fqdn_id", "service_id", "plan", "order_type", "role",
            "vendor_account_id", "vendor_product_code", "vendor_profile_name",
        ]
        + (1...9).map { "vendor_field_\($0)" }
        + contactColumns(prefix: "billing")
        + contactColumns(prefix: "technical")
        + addressColumns(prefix: "primary_service")
        + ["routing_profile_account_id", "ms_teams_tenant_id", "zoom_account_id"]

    /// Columns read by `account(from:)`, in its order, qualified with the table alias `a`.
    static let selectColumns = (["id", "instance_id", "kind", "parent_id", "reseller_id", "path"] + moduleColumns + profileColumns)
        .map { "a.\($0)" }
        .joined(separator: ", ")

    private static func addressColumns(prefix: String) -> [String] {
        ["street_number", "street_name", "zip_code", "city", "country", "state"].map { "\(prefix)_\($0)" }
    }

    private static func contactColumns(prefix: String) -> [String] {
        ["first_name", "last_name", "email", "phone"].map { "\(prefix)_\($0)" }
    }

    // MARK: - Encoding

    static func moduleValues(_ modules: Modules) -> [SQLValue] {
        [modules.did, modules.msteam, modules.ucaas, modules.enhancedServices, modules.stats].map(SQLValue.init)
    }

    static func profileValues(_ profile: AccountProfile) -> [SQLValue] {
        var fields: [String?] = [profile.companyName]
        fields += addressFields(profile.address)
        fields += [
            profile.notificationEmail, profile.agent, profile.agentEmail, profile.customerContractingEntity,
            profile.endCustomerName, profile.fqdnId, profile.serviceId, profile.plan, profile.orderType, profile.role,
            profile.vendorInfo.accountId, profile.vendorInfo.productCode, profile.vendorInfo.profileName,
        ]
        fields += profile.vendorInfo.fields
        fields += contactFields(profile.billingInfo)
        fields += contactFields(profile.technicalContactInfo)
        fields += addressFields(profile.primaryServiceAddress)
        fields += [profile.routingProfileAccountId, profile.msTeamsTenantId, profile.zoomAccountId]

        precondition(fields.count == profileColumns.count, "profile fields and columns are out of step")
        return fields.map(SQLValue.init)
    }

    private static func addressFields(_ address: PostalAddress) -> [String?] {
        [address.streetNumber, address.streetName, address.zipCode, address.city, address.country, address.state]
    }

    private static func contactFields(_ contact: ContactPerson) -> [String?] {
        [contact.firstName, contact.lastName, contact.email, contact.phone]
    }

    // MARK: - Decoding

    /// Reads a row selected with `selectColumns`. DID providers stay empty for the caller to fill.
    static func account(from row: SQLRow) throws -> Account {
        guard let kindText = row.text(2), let kind = AccountKind(rawValue: kindText) else {
            throw StoreError.unavailable(reason: "account \(row.int64(0)) has an unknown kind \(row.text(2) ?? "NULL")")
        }
        let modules = Modules(
            did: row.bool(6), msteam: row.bool(7), ucaas: row.bool(8), enhancedServices: row.bool(9), stats: row.bool(10)
        )
        var fields = TextCursor(row: row, column: 11)
        return Account(
            id: row.int64(0),
            instanceID: row.int64(1),
            kind: kind,
            parentID: row.optionalInt64(3),
            resellerID: row.int64(4),
            path: row.text(5) ?? "",
            modules: modules,
            profile: profile(from: &fields)
        )
    }

    private static func profile(from fields: inout TextCursor) -> AccountProfile {
        var profile = AccountProfile()
        profile.companyName = fields.next()
        profile.address = address(from: &fields)
        profile.notificationEmail = fields.next()
        profile.agent = fields.next()
        profile.agentEmail = fields.next()
        profile.customerContractingEntity = fields.next()
        profile.endCustomerName = fields.next()
        profile.fqdnId = fields.next()
        profile.serviceId = fields.next()
        profile.plan = fields.next()
        profile.orderType = fields.next()
        profile.role = fields.next()
        profile.vendorInfo.accountId = fields.next()
        profile.vendorInfo.productCode = fields.next()
        profile.vendorInfo.profileName = fields.next()
        profile.vendorInfo.fields = (1...9).map { _ in fields.next() }
        profile.billingInfo = contact(from: &fields)
        profile.technicalContactInfo = contact(from: &fields)
        profile.primaryServiceAddress = address(from: &fields)
        profile.routingProfileAccountId = fields.next()
        profile.msTeamsTenantId = fields.next()
        profile.zoomAccountId = fields.next()

        precondition(fields.consumed == profileColumns.count, "profile fields and columns are out of step")
        return profile
    }

    private static func address(from fields: inout TextCursor) -> PostalAddress {
        PostalAddress(
            streetNumber: fields.next(), streetName: fields.next(), zipCode: fields.next(),
            city: fields.next(), country: fields.next(), state: fields.next()
        )
    }

    private static func contact(from fields: inout TextCursor) -> ContactPerson {
        ContactPerson(firstName: fields.next(), lastName: fields.next(), email: fields.next(), phone: fields.next())
    }

    /// Reads consecutive text columns of a row, left to right.
    private struct TextCursor {
        let row: SQLRow
        let start: Int32
        var column: Int32

        init(row: SQLRow, column: Int32) {
            self.row = row
            self.start = column
            self.column = column
        }

        var consumed: Int { Int(column - start) }

        mutating func next() -> String? {
            defer { column += 1 }
            return row.text(column)
        }
    }
}
