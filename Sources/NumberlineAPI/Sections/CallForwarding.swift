import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

// The Call Forwarding section: every call to a number rings another number instead.
extension Application {
    func registerCallForwarding(_ router: inout Router) {
        router.add(
            .post, "/v1/callforwarding", maxBodyBytes: FeatureWire.maxBodyBytes,
            authenticated(
                onBlockingPool { context in
                    try await self.writeCallForwarding(context, mode: .add)
                }))
        router.add(
            .put, "/v1/callforwarding", maxBodyBytes: FeatureWire.maxBodyBytes,
            authenticated(
                onBlockingPool { context in
                    try await self.writeCallForwarding(context, mode: .update)
                }))
        router.add(.get, "/v1/callforwarding/{telephoneNumber}", authenticated(getCallForwarding))
        router.add(.delete, "/v1/callforwarding/{telephoneNumber}", authenticated(removeCallForwarding))
    }

    private func writeCallForwarding(_ context: RequestContext, mode: FeatureWriteMode) async throws -> HTTPResponse {
        let action = mode == .add ? "add call forwarding" : "update call forwarding"
        try requireEnhancedServices(context, action: action)
        try requireWriter(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])

        // Decode and validate.
        let body = try FeatureWire.decode(
            try context.request.jsonBody(maxDepth: 3), numbers: .required, strings: ["callForwardNumber", "countryCode"],
            required: ["callForwardNumber"])
        let region = try FeatureWire.region(body.strings["countryCode"])
        let target = try featureTarget(body.strings["callForwardNumber"], region: region, field: "callForwardNumber")
        let numbers = try await parsedNumberList(body.telephoneNumbers, region: region)
        try rejectSelfForwarding(numbers, target: target)

        // Store.
        let forwarding = CallForwarding(forwardTo: target, countryCode: region)
        let outcome = try await store.setFeature(.callForwarding(forwarding), on: numbers, mode: mode, scope: featureScope(context))
        return featureResponse(
            outcome, action: "update", context: context, logMessage: mode == .add ? "call forwarding added" : "call forwarding updated")
    }

    private func getCallForwarding(_ context: RequestContext) async throws -> HTTPResponse {
        try requireEnhancedServices(context, action: "get call forwarding")
        let telephoneNumber = try pathTelephoneNumber(context)
        let lookup = try await store.feature(.callForwarding, of: telephoneNumber, scope: featureScope(context))
        guard case .callForwarding(let forwarding) = try requireFound(lookup, telephoneNumber: telephoneNumber, feature: "call forwarding")
        else {
            throw APIError.notFound("The number \(telephoneNumber) has no call forwarding.")
        }

        var writer = JSONWriter(capacity: 160)
        writer.beginObject()
        writer.key("telephoneNumbers")
        writer.beginArray()
        writer.string(telephoneNumber)
        writer.endArray()
        writer.key("callForwardNumber")
        writer.string(forwarding.forwardTo)
        writer.key("countryCode")
        writer.optionalString(forwarding.countryCode)
        writer.endObject()
        return .json(200, writer.bytes)
    }

    private func removeCallForwarding(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "remove call forwarding"
        try requireEnhancedServices(context, action: action)
        try requireWriter(context, action: action)
        let telephoneNumber = try pathTelephoneNumber(context)
        let lookup = try await store.removeFeature(.callForwarding, from: telephoneNumber, scope: featureScope(context))
        _ = try requireFound(lookup, telephoneNumber: telephoneNumber, feature: "call forwarding")
        Log.info("call forwarding removed", ["telephone_number": telephoneNumber, "request_id": context.request.requestID])
        return noErrorResponse()
    }
}
