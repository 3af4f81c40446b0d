/// Call forwarding of one number: every call to it rings `forwardTo` instead.
public struct CallForwarding: Sendable, Equatable {
    /// E.164 digits without `+` of the forward target.
    public var forwardTo: String
    /// ISO 3166-1 alpha-2 region the caller named for the target, if any.
    public var countryCode: String?

    public init(forwardTo: String, countryCode: String?) {
        self.forwardTo = forwardTo
        self.countryCode = countryCode
    }
}

/// The calling party number (CPN) shown on calls placed from a number.
public struct CallingPartyNumber: Sendable, Equatable {
    /// E.164 digits without `+`; a number the same subtree holds.
    public var cpnNumber: String
    public var countryCode: String?

    public init(cpnNumber: String, countryCode: String?) {
        self.cpnNumber = cpnNumber
        self.countryCode = countryCode
    }
}

/// The outbound caller name (CNAM) of a number.
public struct CallerName: Sendable, Equatable {
    /// At most 15 characters that pass `FeatureRules.callingNameProblem`.
    public var callingName: String
    public var firstName: String?
    public var lastName: String?
    public var businessName: String?

    public init(callingName: String, firstName: String?, lastName: String?, businessName: String?) {
        self.callingName = callingName
        self.firstName = firstName
        self.lastName = lastName
        self.businessName = businessName
    }
}

/// A per-number feature value, one stored row per number and kind.
public enum NumberFeature: Sendable, Equatable {
    case callForwarding(CallForwarding)
    case callingPartyNumber(CallingPartyNumber)
    case callerName(CallerName)
    case internationalCalling(InternationalCallingCriteria)

    /// The kind of this value.
    public var kind: NumberFeatureKind {
        switch self {
        case .callForwarding: .callForwarding
        case .callingPartyNumber: .callingPartyNumber
        case .callerName: .callerName
        case .internationalCalling: .internationalCalling
        }
    }
}

/// The kinds of per-number feature, each stored as at most one row per number.
public enum NumberFeatureKind: String, Sendable, CaseIterable {
    case callForwarding
    case callingPartyNumber
    case callerName
    case internationalCalling

    /// The feature's name in messages, such as "call forwarding".
    public var displayName: String {
        switch self {
        case .callForwarding: "call forwarding"
        case .callingPartyNumber: "a calling party number"
        case .callerName: "CNAM"
        case .internationalCalling: "an international calling setting"
        }
    }
}

/// A disaster plan: numbers that forward to one target while the plan is active.
public struct DisasterPlan: Sendable, Equatable {
    public var id: DisasterPlanID
    /// The plan's numbers, ordered.
    public var telephoneNumbers: [String]
    public var forwardTo: String
    public var countryCode: String?
    /// Whether calls are forwarded now; a new plan starts inactive.
    public var isActive: Bool

    public init(id: DisasterPlanID, telephoneNumbers: [String], forwardTo: String, countryCode: String?, isActive: Bool) {
        self.id = id
        self.telephoneNumbers = telephoneNumbers
        self.forwardTo = forwardTo
        self.countryCode = countryCode
        self.isActive = isActive
    }
}

/// A site (department) of a customer, to which Microsoft Teams users are assigned.
public struct Site: Sendable, Equatable {
    public var id: Int64
    public var customerID: Int64
    /// Path of the customer, for visibility checks.
    public var customerPath: String
    public var departmentName: String

    public init(id: Int64, customerID: Int64, customerPath: String, departmentName: String) {
        self.id = id
        self.customerID = customerID
        self.customerPath = customerPath
        self.departmentName = departmentName
    }
}

/// The civic fields of an emergency (E911) address.
public struct CivicAddress: Sendable, Equatable {
    public var name: String
    public var streetNumber: String
    public var streetName: String
    public var addressType: EmergencyAddressType?
    public var addressDescription: String?
    /// `US` or `CA`.
    public var countryCode: String
    public var postalCode: String
    public var stateCode: String
    public var city: String

    public init(
        name: String, streetNumber: String, streetName: String, addressType: EmergencyAddressType?, addressDescription: String?,
        countryCode: String, postalCode: String, stateCode: String, city: String
    ) {
        self.name = name
        self.streetNumber = streetNumber
        self.streetName = streetName
        self.addressType = addressType
        self.addressDescription = addressDescription
        self.countryCode = countryCode
        self.postalCode = postalCode
        self.stateCode = stateCode
        self.city = city
    }
}

/// An emergency address of a customer and the numbers that use it.
public struct EmergencyAddress: Sendable, Equatable {
    /// The server-assigned `locationId`.
    public var id: Int64
    public var customerID: Int64
    /// Path of the customer, for visibility checks.
    public var customerPath: String
    public var address: CivicAddress
    /// Numbers attached to the address, ordered; a number has at most one address.
    public var telephoneNumbers: [String]

    public init(id: Int64, customerID: Int64, customerPath: String, address: CivicAddress, telephoneNumbers: [String]) {
        self.id = id
        self.customerID = customerID
        self.customerPath = customerPath
        self.address = address
        self.telephoneNumbers = telephoneNumbers
    }
}

/// Every feature set on one number, for the single-number view of the inventory.
public struct NumberFeatures: Sendable, Equatable {
    public var callForwarding: CallForwarding?
    public var callingPartyNumber: CallingPartyNumber?
    public var callerName: CallerName?
    public var internationalCalling: InternationalCallingCriteria?
    public var disasterPlan: DisasterPlan?
    /// The `locationId` of the number's emergency address.
    public var emergencyAddressID: Int64?

    public init(
        callForwarding: CallForwarding? = nil, callingPartyNumber: CallingPartyNumber? = nil, callerName: CallerName? = nil,
        internationalCalling: InternationalCallingCriteria? = nil, disasterPlan: DisasterPlan? = nil, emergencyAddressID: Int64? = nil
    ) {
        self.callForwarding = callForwarding
        self.callingPartyNumber = callingPartyNumber
        self.callerName = callerName
        self.internationalCalling = internationalCalling
        self.disasterPlan = disasterPlan
        self.emergencyAddressID = emergencyAddressID
    }
}
