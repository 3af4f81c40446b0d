import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

// The Emergency Addresses section: E911 civic addresses of a customer and the numbers that
// use them. Customers are named as in the Sites section. `telephoneNumbers` is an addition:
// the numbers attached to the address, each at one address at most.
extension Application {
    private static let addressStringKeys = [
        "name", "streetNumber", "streetName", "addressType", "addressDescription", "countryCode", "postalCode", "stateCode", "city",
    ]
    private static let requiredAddressKeys: Set<String> = [
        "name", "streetNumber", "streetName", "countryCode", "postalCode", "stateCode", "city",
    ]

    func registerEmergencyAddresses(_ router: inout Router) {
        router.add(.get, "/v1/emergencyaddresses", authenticated(listEmergencyAddresses))
        router.add(
            .post, "/v1/emergencyaddresses", maxBodyBytes: FeatureWire.maxBodyBytes, authenticated(onBlockingPool(createEmergencyAddress)))
        router.add(
            .put, "/v1/emergencyaddresses", maxBodyBytes: FeatureWire.maxBodyBytes, authenticated(onBlockingPool(updateEmergencyAddress)))
        router.add(.delete, "/v1/emergencyaddresses/{locationId}", authenticated(deleteEmergencyAddress))
    }

    private func listEmergencyAddresses(_ context: RequestContext) async throws -> HTTPResponse {
        try requireSiteModules(context, action: "get emergency addresses")
        let parameters = try rejectQueryParameters(context.request, allowed: ["customerId"])
        let customer = try await featureCustomer(context, customerID: parameters["customerId"])
        let addresses = try await store.emergencyAddresses(customerID: customer.id, instanceID: context.instance.id)

        var writer = JSONWriter(capacity: 64 + addresses.count * 320)
        writer.beginArray()
        for address in addresses {
            Self.write(address, into: &writer)
        }
        writer.endArray()
        return .json(200, writer.bytes)
    }

    private func createEmergencyAddress(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "add emergency addresses to customer"
        try requireSiteModules(context, action: action)
        try requireWriter(context, action: action)
        let parameters = try rejectQueryParameters(context.request, allowed: ["customerId"])
        let body = try FeatureWire.decode(
            try context.request.jsonBody(maxDepth: 3), numbers: .optional, strings: Self.addressStringKeys,
            required: Self.requiredAddressKeys)
        let address = try Self.civicAddress(body)
        let numbers = body.telephoneNumbers.isEmpty ? [] : try await parsedNumberList(body.telephoneNumbers, region: address.countryCode)
        let customer = try await featureCustomer(context, customerID: parameters["customerId"])

        let result = try await store.createEmergencyAddress(
            address, customerID: customer.id, telephoneNumbers: numbers, scope: featureScope(context, path: customer.path))
        switch result {
        case .success(let saved):
            Log.info(
                "emergency address created",
                [
                    "location_id": String(saved.id), "customer_id": String(customer.id), "request_id": context.request.requestID,
                ])
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("statusCode")
            writer.string("200")
            writer.key("status")
            writer.string("No error")
            writer.key("locationId")
            writer.int(saved.id)
            writer.endObject()
            return .json(200, writer.bytes)
        case .failure(let rejected):
            return rejectionResponse(rejected.rejections, action: "attach")
        }
    }

    private func updateEmergencyAddress(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "update emergency addresses of customer"
        try requireSiteModules(context, action: action)
        try requireWriter(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])
        let body = try FeatureWire.decode(
            try context.request.jsonBody(maxDepth: 3), numbers: .optional, strings: Self.addressStringKeys,
            required: Self.requiredAddressKeys.union(["locationId"]), integers: ["locationId"])
        let address = try Self.civicAddress(body)
        let numbers = body.telephoneNumbers.isEmpty ? [] : try await parsedNumberList(body.telephoneNumbers, region: address.countryCode)

        let id = body.integers["locationId"] ?? 0
        guard let existing = try await store.emergencyAddress(id: id, instanceID: context.instance.id),
            context.caller.canSee(path: existing.customerPath)
        else {
            throw APIError.notFound("Emergency address \(id) does not exist or is not visible to you.")
        }

        let result = try await store.updateEmergencyAddress(
            id: id, address, telephoneNumbers: body.hasTelephoneNumbers ? numbers : nil,
            scope: featureScope(context, path: existing.customerPath))
        switch result {
        case .success:
            Log.info("emergency address updated", ["location_id": String(id), "request_id": context.request.requestID])
            return noErrorResponse()
        case .failure(let rejected):
            return rejectionResponse(rejected.rejections, action: "attach")
        }
    }

    private func deleteEmergencyAddress(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "remove emergency addresses from customer"
        try requireSiteModules(context, action: action)
        try requireWriter(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])
        let id = try context.request.idParameter("locationId")
        guard let existing = try await store.emergencyAddress(id: id, instanceID: context.instance.id),
            context.caller.canSee(path: existing.customerPath)
        else {
            throw APIError.notFound("Emergency address \(id) does not exist or is not visible to you.")
        }

        do {
            try await store.deleteEmergencyAddress(id: id, instanceID: context.instance.id)
        } catch StoreError.conflict(let reason) {
            throw APIError.conflict("Emergency address \(id) is still in use: \(reason).")
        }
        Log.info("emergency address deleted", ["location_id": String(id), "request_id": context.request.requestID])
        return noErrorResponse()
    }

    // MARK: - Wire mapping

    /// Builds and validates the civic address of a body; throws 400 naming every invalid field.
    private static func civicAddress(_ body: FeatureBody) throws -> CivicAddress {
        var problems: [FieldError] = []
        var addressType: EmergencyAddressType?
        if let text = body.strings["addressType"] {
            addressType = EmergencyAddressType(rawValue: text)
            if addressType == nil {
                let codes = EmergencyAddressType.allCases.map(\.rawValue).joined(separator: ", ")
                problems.append(
                    FieldError(field: "addressType", message: "\"\(text.prefix(40))\" is not an address type; use one of \(codes)"))
            }
        }
        let address = CivicAddress(
            name: body.strings["name"] ?? "", streetNumber: body.strings["streetNumber"] ?? "",
            streetName: body.strings["streetName"] ?? "",
            addressType: addressType, addressDescription: body.strings["addressDescription"],
            countryCode: body.strings["countryCode"] ?? "",
            postalCode: body.strings["postalCode"] ?? "", stateCode: body.strings["stateCode"] ?? "", city: body.strings["city"] ?? "")
        problems += FeatureRules.validate(address)
        guard problems.isEmpty else {
            throw APIError.badRequest("The emergency address has invalid fields; see errors.", fields: problems)
        }
        return address
    }

    private static func write(_ address: EmergencyAddress, into writer: inout JSONWriter) {
        let civic = address.address
        writer.beginObject()
        writer.key("locationId")
        writer.int(address.id)
        for (key, value) in [
            ("name", civic.name), ("streetNumber", civic.streetNumber), ("streetName", civic.streetName),
            ("addressType", civic.addressType?.rawValue), ("addressDescription", civic.addressDescription),
            ("countryCode", civic.countryCode), ("postalCode", civic.postalCode), ("stateCode", civic.stateCode), ("city", civic.city),
        ] {
            writer.dynamicKey(key)
            writer.optionalString(value)
        }
        writer.key("telephoneNumbers")
        writer.beginArray()
        for number in address.telephoneNumbers {
            writer.string(number)
        }
        writer.endArray()
        writer.endObject()
    }
}
