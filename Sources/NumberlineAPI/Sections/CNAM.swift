import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

// The CNAM section: the caller name sent with outbound calls.
extension Application {
    func registerCNAM(_ router: inout Router) {
        router.add(.post, "/v1/cnam", maxBodyBytes: FeatureWire.maxBodyBytes, authenticated(onBlockingPool(addCallerName)))
        router.add(.get, "/v1/cnam/{telephoneNumber}", authenticated(getCallerName))
        router.add(.delete, "/v1/cnam/{telephoneNumber}", authenticated(removeCallerName))
    }

    private func addCallerName(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "add CNAM"
        try requireEnhancedServices(context, action: action)
        try requireWriter(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])

        // Decode and validate.
        let body = try FeatureWire.decode(
            try context.request.jsonBody(maxDepth: 3), numbers: .required,
            strings: ["callingName", "firstName", "lastName", "businessName"],
            required: ["callingName"])
        var problems: [FieldError] = []
        let callingName = body.strings["callingName"] ?? ""
        if let problem = FeatureRules.callingNameProblem(callingName) {
            problems.append(FieldError(field: "callingName", message: problem))
        }
        for field in ["firstName", "lastName", "businessName"] {
            if let value = body.strings[field] {
                problems += FieldRules.validateFreeText(value, field: field)
            }
        }
        guard problems.isEmpty else {
            throw APIError.badRequest("The body has invalid fields; see errors.", fields: problems)
        }
        let numbers = try await parsedNumberList(body.telephoneNumbers, region: nil)

        // Store.
        let name = CallerName(
            callingName: callingName, firstName: body.strings["firstName"], lastName: body.strings["lastName"],
            businessName: body.strings["businessName"])
        let outcome = try await store.setFeature(.callerName(name), on: numbers, mode: .add, scope: featureScope(context))
        return featureResponse(outcome, action: "update", context: context, logMessage: "CNAM added")
    }

    private func getCallerName(_ context: RequestContext) async throws -> HTTPResponse {
        try requireEnhancedServices(context, action: "get CNAM")
        let telephoneNumber = try pathTelephoneNumber(context)
        let lookup = try await store.feature(.callerName, of: telephoneNumber, scope: featureScope(context))
        guard case .callerName(let name) = try requireFound(lookup, telephoneNumber: telephoneNumber, feature: "CNAM") else {
            throw APIError.notFound("The number \(telephoneNumber) has no CNAM.")
        }

        var writer = JSONWriter(capacity: 200)
        writer.beginObject()
        writer.key("telephoneNumbers")
        writer.beginArray()
        writer.string(telephoneNumber)
        writer.endArray()
        FeatureWire.writeCallerNameFields(name, into: &writer, wrapped: false)
        writer.endObject()
        return .json(200, writer.bytes)
    }

    private func removeCallerName(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "remove CNAM"
        try requireEnhancedServices(context, action: action)
        try requireWriter(context, action: action)
        let telephoneNumber = try pathTelephoneNumber(context)
        let lookup = try await store.removeFeature(.callerName, from: telephoneNumber, scope: featureScope(context))
        _ = try requireFound(lookup, telephoneNumber: telephoneNumber, feature: "CNAM")
        Log.info("CNAM removed", ["telephone_number": telephoneNumber, "request_id": context.request.requestID])
        return noErrorResponse()
    }
}
