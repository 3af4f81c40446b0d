import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

// The Calling Party Number section: the number shown to the called party on outbound calls.
extension Application {
    func registerCallingPartyNumber(_ router: inout Router) {
        router.add(.post, "/v1/cpn", maxBodyBytes: FeatureWire.maxBodyBytes, authenticated(onBlockingPool(addCallingPartyNumber)))
        router.add(.get, "/v1/cpn/{telephoneNumber}", authenticated(getCallingPartyNumber))
        router.add(.delete, "/v1/cpn/{telephoneNumber}", authenticated(removeCallingPartyNumber))
    }

    private func addCallingPartyNumber(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "add calling party number"
        try requireEnhancedServices(context, action: action)
        try requireWriter(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])

        // Decode and validate.
        let body = try FeatureWire.decode(
            try context.request.jsonBody(maxDepth: 3), numbers: .required, strings: ["cpnNumber", "countryCode"], required: ["cpnNumber"])
        let region = try FeatureWire.region(body.strings["countryCode"])
        let cpnNumber = try featureTarget(body.strings["cpnNumber"], region: region, field: "cpnNumber")
        let numbers = try await parsedNumberList(body.telephoneNumbers, region: region)

        // Authorize: the shown number must be held inside the caller's subtree, so that no
        // account can show another tenant's number. An unknown and a foreign number get the same 400.
        guard let held = try await store.number(cpnNumber, instanceID: context.instance.id), context.caller.canSee(path: held.accountPath)
        else {
            throw APIError.badRequest(
                "The body has invalid fields; see errors.",
                fields: [
                    FieldError(
                        field: "cpnNumber",
                        message: "\(cpnNumber) does not exist or is not visible to you; use a number your account or its subtree holds")
                ])
        }

        // Store.
        let cpn = CallingPartyNumber(cpnNumber: cpnNumber, countryCode: region)
        let outcome = try await store.setFeature(.callingPartyNumber(cpn), on: numbers, mode: .add, scope: featureScope(context))
        return featureResponse(outcome, action: "update", context: context, logMessage: "calling party number added")
    }

    private func getCallingPartyNumber(_ context: RequestContext) async throws -> HTTPResponse {
        try requireEnhancedServices(context, action: "get calling party number")
        let telephoneNumber = try pathTelephoneNumber(context)
        let lookup = try await store.feature(.callingPartyNumber, of: telephoneNumber, scope: featureScope(context))
        guard
            case .callingPartyNumber(let cpn) = try requireFound(lookup, telephoneNumber: telephoneNumber, feature: "calling party number")
        else {
            throw APIError.notFound("The number \(telephoneNumber) has no calling party number.")
        }

        var writer = JSONWriter(capacity: 160)
        writer.beginObject()
        writer.key("telephoneNumbers")
        writer.beginArray()
        writer.string(telephoneNumber)
        writer.endArray()
        writer.key("cpnNumber")
        writer.string(cpn.cpnNumber)
        writer.key("countryCode")
        writer.optionalString(cpn.countryCode)
        writer.endObject()
        return .json(200, writer.bytes)
    }

    private func removeCallingPartyNumber(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "remove calling party number"
        try requireEnhancedServices(context, action: action)
        try requireWriter(context, action: action)
        let telephoneNumber = try pathTelephoneNumber(context)
        let lookup = try await store.removeFeature(.callingPartyNumber, from: telephoneNumber, scope: featureScope(context))
        _ = try requireFound(lookup, telephoneNumber: telephoneNumber, feature: "calling party number")
        Log.info("calling party number removed", ["telephone_number": telephoneNumber, "request_id": context.request.requestID])
        return noErrorResponse()
    }
}
