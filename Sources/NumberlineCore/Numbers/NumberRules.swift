/// The reason one number of a bulk call was rejected. The whole call then changes nothing.
public enum NumberRejectionReason: Sendable, Equatable {
    /// The input is not a telephone number, or fails the instance's validation mode.
    case invalid(String)
    /// The number appears more than once in the request.
    case repeated
    /// The number is already stored somewhere in the instance.
    case alreadyPresent
    /// No such number is visible to the caller (also for numbers outside the caller's subtree).
    case notFound
    /// The number is provisioned (Teams user or Zoom peering), so it cannot move or be removed.
    case provisioned
    /// The number is held by a customer outside the target's branch, so it must be released first.
    case heldElsewhere

    /// A plain sentence for the wire `reason` field.
    public var message: String {
        switch self {
        case .invalid(let detail):
            detail
        case .repeated:
            "The number appears more than once in this request; send it once."
        case .alreadyPresent:
            "The number is already in this instance's inventory; remove it there first."
        case .notFound:
            "The number does not exist or is not visible to you."
        case .provisioned:
            "The number is provisioned to a user or peered; deprovision it first."
        case .heldElsewhere:
            "The number is held by a customer outside the target customer's branch; release it first."
        }
    }
}

/// One rejected number of a bulk call.
public struct NumberRejection: Sendable, Equatable {
    /// The number as the caller sent it, or its E.164 digits once parsed.
    public var telephoneNumber: String
    public var reason: NumberRejectionReason

    public init(telephoneNumber: String, reason: NumberRejectionReason) {
        self.telephoneNumber = telephoneNumber
        self.reason = reason
    }
}

/// The outcome of a bulk change: every number changed, or none and the reasons why.
public enum BulkOutcome: Sendable, Equatable {
    /// Every number was changed; the count is how many.
    case changed(Int)
    /// Nothing changed. `rejections` lists at most `limit` entries of `total` rejected numbers.
    case rejected(rejections: [NumberRejection], total: Int)
}

/// Rules about moving and removing numbers: plain functions, no I/O.
public enum NumberRules {
    /// The maximum rejected numbers a bulk response lists. The rest only count toward its total.
    public static let maxListedRejections = 1000

    /// Returns why `number` cannot be removed from its carrier, or `nil` when it can.
    public static func deletionBlocker(_ number: NumberRecord) -> NumberRejectionReason? {
        // NOTE: features (call forwarding, CNAM, disaster plans, E911) will block removal
        // too once they are stored; today only the provisioned status does.
        number.status == .provisioned ? .provisioned : nil
    }

    /// Returns why `number` cannot be assigned to the customer at `targetPath`, or `nil` when it can.
    ///
    /// A number moves down the tree only: from the reseller's inventory, or from a customer
    /// to that customer itself or one of its descendants.
    public static func assignmentBlocker(_ number: NumberRecord, targetPath: String) -> NumberRejectionReason? {
        if number.status == .provisioned {
            return .provisioned
        }
        guard targetPath.hasPrefix(number.accountPath) else {
            return .heldElsewhere
        }
        return nil
    }

    /// Returns why `number` cannot return to its reseller's inventory, or `nil` when it can.
    public static func releaseBlocker(_ number: NumberRecord) -> NumberRejectionReason? {
        number.status == .provisioned ? .provisioned : nil
    }
}

extension Caller {
    /// Returns whether an object held by the account at `path` lies in the caller's subtree.
    public func canSee(path: String) -> Bool {
        path.hasPrefix(scopePath)
    }
}
