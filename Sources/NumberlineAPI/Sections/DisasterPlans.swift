import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineStore

// The Disaster Plans section: a group of numbers that forwards to one target while the plan
// is active. POST makes a plan with a new DAS- id. PUT changes the target of the plans that
// hold the listed numbers, and an optional disasterPlanID makes it check that every listed
// number belongs to that plan. Activation is an addition to the reference.
extension Application {
    func registerDisasterPlans(_ router: inout Router) {
        router.add(.post, "/v1/disasterplans", maxBodyBytes: FeatureWire.maxBodyBytes, authenticated(onBlockingPool(createDisasterPlan)))
        router.add(.put, "/v1/disasterplans", maxBodyBytes: FeatureWire.maxBodyBytes, authenticated(onBlockingPool(updateDisasterPlan)))
        router.add(.get, "/v1/disasterplans/{telephoneNumber}", authenticated(getDisasterPlan))
        router.add(.delete, "/v1/disasterplans/{telephoneNumber}", authenticated(removeDisasterPlan))
        router.add(
            .post, "/v1/disasterplans/{disasterPlanID}/activate",
            authenticated { context in
                try await self.setDisasterPlanActive(context, isActive: true)
            })
        router.add(
            .post, "/v1/disasterplans/{disasterPlanID}/deactivate",
            authenticated { context in
                try await self.setDisasterPlanActive(context, isActive: false)
            })
    }

    /// Decodes and checks a plan body; `allowPlanID` admits `disasterPlanID` (PUT).
    private func decodePlanBody(
        _ context: RequestContext, allowPlanID: Bool
    ) async throws -> (numbers: [String], target: String, region: String?, planID: DisasterPlanID?) {
        try rejectQueryParameters(context.request, allowed: [])
        let strings = ["callForwardNumber", "countryCode"] + (allowPlanID ? ["disasterPlanID"] : [])
        let body = try FeatureWire.decode(
            try context.request.jsonBody(maxDepth: 3), numbers: .required, strings: strings, required: ["callForwardNumber"])
        var planID: DisasterPlanID?
        if let text = body.strings["disasterPlanID"] {
            guard let parsed = DisasterPlanID(text) else {
                throw APIError.badRequest(
                    "The body has invalid fields; see errors.",
                    fields: [
                        FieldError(
                            field: "disasterPlanID", message: "\"\(text.prefix(40))\" is not a disaster plan id; ids look like DAS-123456")
                    ])
            }
            planID = parsed
        }
        let region = try FeatureWire.region(body.strings["countryCode"])
        let target = try featureTarget(body.strings["callForwardNumber"], region: region, field: "callForwardNumber")
        let numbers = try await parsedNumberList(body.telephoneNumbers, region: region)
        try rejectSelfForwarding(numbers, target: target)
        return (numbers, target, region, planID)
    }

    private func createDisasterPlan(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "add disaster plan"
        try requireEnhancedServices(context, action: action)
        try requireWriter(context, action: action)
        let body = try await decodePlanBody(context, allowPlanID: false)

        let result = try await store.createDisasterPlan(
            telephoneNumbers: body.numbers, forwardTo: body.target, countryCode: body.region, scope: featureScope(context))
        switch result {
        case .success(let plan):
            Log.info(
                "disaster plan created",
                [
                    "disaster_plan_id": plan.id.description, "count": String(body.numbers.count), "request_id": context.request.requestID,
                ])
            return noErrorResponse(extra: ("disasterPlanID", plan.id.description))
        case .failure(let rejected):
            return rejectionResponse(rejected.rejections, action: "update")
        }
    }

    private func updateDisasterPlan(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "update disaster plan"
        try requireEnhancedServices(context, action: action)
        try requireWriter(context, action: action)
        let body = try await decodePlanBody(context, allowPlanID: true)

        let outcome = try await store.updateDisasterPlans(
            telephoneNumbers: body.numbers, planID: body.planID, forwardTo: body.target, countryCode: body.region,
            scope: featureScope(context))
        return featureResponse(outcome, action: "update", context: context, logMessage: "disaster plans updated")
    }

    private func getDisasterPlan(_ context: RequestContext) async throws -> HTTPResponse {
        try requireEnhancedServices(context, action: "get disaster plan")
        let telephoneNumber = try pathTelephoneNumber(context)
        let lookup = try await store.disasterPlan(of: telephoneNumber, scope: featureScope(context))
        let plan = try requireFound(lookup, telephoneNumber: telephoneNumber, feature: "disaster plan")
        return .json(200, Self.planBody(plan))
    }

    private func removeDisasterPlan(_ context: RequestContext) async throws -> HTTPResponse {
        let action = "remove disaster plan"
        try requireEnhancedServices(context, action: action)
        try requireWriter(context, action: action)
        let telephoneNumber = try pathTelephoneNumber(context)
        let lookup = try await store.removeDisasterPlan(from: telephoneNumber, scope: featureScope(context))
        let plan = try requireFound(lookup, telephoneNumber: telephoneNumber, feature: "disaster plan")
        Log.info(
            "number removed from disaster plan",
            [
                "disaster_plan_id": plan.id.description, "telephone_number": telephoneNumber, "request_id": context.request.requestID,
            ])
        return noErrorResponse()
    }

    private func setDisasterPlanActive(_ context: RequestContext, isActive: Bool) async throws -> HTTPResponse {
        let action = isActive ? "activate disaster plan" : "deactivate disaster plan"
        try requireEnhancedServices(context, action: action)
        try requireWriter(context, action: action)
        try rejectQueryParameters(context.request, allowed: [])
        let text = context.request.pathParameters["disasterPlanID"] ?? ""
        guard let planID = DisasterPlanID(text) else {
            throw APIError.badRequest("\"\(text.prefix(40))\" is not a disaster plan id; ids look like DAS-123456.")
        }
        guard let plan = try await store.setDisasterPlanActive(planID, isActive: isActive, scope: featureScope(context)) else {
            throw APIError.notFound("The disaster plan \(planID) does not exist or is not visible to you.")
        }
        Log.info(
            isActive ? "disaster plan activated" : "disaster plan deactivated",
            [
                "disaster_plan_id": planID.description, "request_id": context.request.requestID,
            ])
        return .json(200, Self.planBody(plan))
    }

    /// Renders the reference's plan object plus `active`.
    private static func planBody(_ plan: DisasterPlan) -> [UInt8] {
        var writer = JSONWriter(capacity: 160 + plan.telephoneNumbers.count * 20)
        writer.beginObject()
        writer.key("telephoneNumbers")
        writer.beginArray()
        for number in plan.telephoneNumbers {
            writer.string(number)
        }
        writer.endArray()
        writer.key("callForwardNumber")
        writer.string(plan.forwardTo)
        writer.key("disasterPlanID")
        writer.string(plan.id.description)
        writer.key("countryCode")
        writer.optionalString(plan.countryCode)
        writer.key("active")
        writer.bool(plan.isActive)
        writer.endObject()
        return writer.bytes
    }
}
