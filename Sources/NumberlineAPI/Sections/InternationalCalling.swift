import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

// The International Calling section: whether a number may place international calls.
extension Application {
    func registerInternationalCalling(_ router: inout Router) {
        router.add(
            .post, "/v1/internationalcalling", maxBodyBytes: FeatureWire.maxBodyBytes,
            authenticated(onBlockingPool(setInternationalCalling)))
        router.add(.get, "/v1/internationalcalling/{telephoneNumber}", authenticated(getInternationalCalling))
        router.add(.delete, "/v1/internationalcalling/{telephoneNumber}", authenticated(removeInternationalCalling))
    }

    private func setInternationalCalling(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "enable international calling"
        try requireEnhancedServices(context, action: action)
        try requireWriter(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])

        // Decode and validate.
        let body = try FeatureWire.decode(
            try context.request.jsonBody(maxDepth: 3), numbers: .required, strings: ["criteria"], required: ["criteria"])
        let text = body.strings["criteria"] ?? ""
        guard let criteria = InternationalCallingCriteria(rawValue: text) else {
            let allowed = InternationalCallingCriteria.allCases.map(\.rawValue).joined(separator: " or ")
            throw APIError.badRequest(
                "The body has invalid fields; see errors.",
                fields: [
                    FieldError(
                        field: "criteria", message: "\"\(text.prefix(40))\" is not a criteria value; use \(allowed)")
                ])
        }
        let numbers = try await parsedNumberList(body.telephoneNumbers, region: nil)

        // Store.
        let outcome = try await store.setFeature(.internationalCalling(criteria), on: numbers, mode: .add, scope: featureScope(context))
        return featureResponse(outcome, action: "update", context: context, logMessage: "international calling set")
    }

    private func getInternationalCalling(_ context: RequestContext) async throws -> HTTPResponse {
        try requireEnhancedServices(context, action: "get international calling")
        let telephoneNumber = try pathTelephoneNumber(context)
        let lookup = try await store.feature(.internationalCalling, of: telephoneNumber, scope: featureScope(context))
        guard
            case .internationalCalling(let criteria) = try requireFound(
                lookup, telephoneNumber: telephoneNumber, feature: "international calling setting")
        else {
            throw APIError.notFound("The number \(telephoneNumber) has no international calling setting.")
        }

        var writer = JSONWriter(capacity: 96)
        writer.beginObject()
        writer.key("telephoneNumber")
        writer.string(telephoneNumber)
        writer.key("criteria")
        writer.string(criteria.rawValue)
        writer.endObject()
        return .json(200, writer.bytes)
    }

    private func removeInternationalCalling(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "remove international calling"
        try requireEnhancedServices(context, action: action)
        try requireWriter(context, action: action)
        let telephoneNumber = try pathTelephoneNumber(context)
        let lookup = try await store.removeFeature(.internationalCalling, from: telephoneNumber, scope: featureScope(context))
        _ = try requireFound(lookup, telephoneNumber: telephoneNumber, feature: "international calling setting")
        Log.info("international calling removed", ["telephone_number": telephoneNumber, "request_id": context.request.requestID])
        return noErrorResponse()
    }
}
