/// The reason one number of a bulk feature call was rejected. The whole call then changes nothing.
public enum FeatureRejectionReason: Sendable, Equatable {
    /// The input is not a telephone number, and the text gives the parser's reason.
    case invalid(String)
    /// The number appears more than once in the request.
    case repeated
    /// No such number is visible to the caller (also for numbers outside the caller's subtree).
    case notFound
    /// The number would forward to itself.
    case forwardsToItself
    /// The number already has the feature, so adding it again conflicts.
    case alreadySet(String)
    /// The number lacks the feature that an update or removal needs.
    case notSet(String)
    /// The number already uses another emergency address or disaster plan.
    case attachedElsewhere(String)

    /// The HTTP status this reason maps to: 400 for bad input, 409 for conflicts, 404 for a missing feature.
    public var status: Int {
        switch self {
        case .invalid, .repeated, .notFound, .forwardsToItself: 400
        case .alreadySet, .attachedElsewhere: 409
        case .notSet: 404
        }
    }

    /// A plain sentence for the wire `reason` field.
    public var message: String {
        switch self {
        case .invalid(let detail):
            detail
        case .repeated:
            "The number appears more than once in this request; send it once."
        case .notFound:
            "The number does not exist or is not visible to you."
        case .forwardsToItself:
            "The number cannot forward to itself; choose another target."
        case .alreadySet(let feature):
            "The number already has \(feature); update or remove it instead."
        case .notSet(let feature):
            "The number has no \(feature) to change; add it first."
        case .attachedElsewhere(let detail):
            detail
        }
    }
}

/// One rejected number of a bulk feature call.
public struct FeatureRejection: Sendable, Equatable {
    /// The number as the caller sent it, or its E.164 digits once parsed.
    public var telephoneNumber: String
    public var reason: FeatureRejectionReason

    public init(telephoneNumber: String, reason: FeatureRejectionReason) {
        self.telephoneNumber = telephoneNumber
        self.reason = reason
    }
}

/// The outcome of a bulk feature change: every number changed, or none and the reasons why.
public enum FeatureOutcome: Sendable, Equatable {
    /// Every number was changed; the count is how many.
    case changed(Int)
    /// Nothing changed. Every listed rejection has the same HTTP status, the most basic one found:
    /// bad input (400) before conflicts (409) before missing features (404).
    case rejected([FeatureRejection])

    /// Keeps only the rejections of the first status in 400, 409, 404 order, so one response reports one kind of failure.
    public static func rejecting(_ rejections: [FeatureRejection]) -> FeatureOutcome {
        for status in [400, 409, 404] {
            let matching = rejections.filter { $0.reason.status == status }
            if !matching.isEmpty {
                return .rejected(matching)
            }
        }
        return .rejected(rejections)
    }
}

/// The result of reading or removing the feature of one number.
public enum FeatureLookup<Value: Sendable & Equatable>: Sendable, Equatable {
    /// The number does not exist or is not visible to the caller.
    case numberNotFound
    /// The number is visible but has no such feature.
    case notSet
    case found(Value)
}
