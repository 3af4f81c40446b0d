/// A Microsoft Teams user provisioned to one telephone number of a customer.
public struct TeamsUser: Sendable, Equatable {
    public var id: Int64
    public var customerID: Int64
    /// User principal name, stored as sent; unique per customer ignoring ASCII case.
    public var upn: String
    public var firstName: String?
    public var lastName: String?
    public var note: String?
    /// A site of the customer. Not checked against stored sites yet.
    public var siteID: Int64?
    /// E.164 digits without `+`; the number has status `provisioned` while the user exists.
    public var telephoneNumber: String

    public init(
        id: Int64, customerID: Int64, upn: String, firstName: String?, lastName: String?, note: String?, siteID: Int64?,
        telephoneNumber: String
    ) {
        self.id = id
        self.customerID = customerID
        self.upn = upn
        self.firstName = firstName
        self.lastName = lastName
        self.note = note
        self.siteID = siteID
        self.telephoneNumber = telephoneNumber
    }

    /// The user's wire `status`. Numberline calls no Microsoft service, so a stored user is
    /// always `configured`.
    public static let configuredStatus = "configured"
}

/// A Teams user to provision; the store assigns the id.
public struct NewTeamsUser: Sendable, Equatable {
    public var upn: String
    public var firstName: String?
    public var lastName: String?
    public var note: String?
    public var siteID: Int64?
    public var telephoneNumber: String

    public init(upn: String, firstName: String?, lastName: String?, note: String?, siteID: Int64?, telephoneNumber: String) {
        self.upn = upn
        self.firstName = firstName
        self.lastName = lastName
        self.note = note
        self.siteID = siteID
        self.telephoneNumber = telephoneNumber
    }
}

/// A customer's number as the Teams numbers listing shows it, with the user it is provisioned to.
public struct TeamsNumber: Sendable, Equatable {
    public var telephoneNumber: String
    public var attributes: NumberAttributes
    /// Unix seconds of the assignment to the customer.
    public var activatedAt: Int64?
    /// `nil` while the number is free for provisioning.
    public var user: TeamsUser?
    /// The CNAM `callingName` set on the number, `nil` when it has none.
    public var callingName: String?
    /// The `locationId` of the emergency address the number is attached to, `nil` when it has none.
    public var emergencyAddressID: Int64?

    public init(
        telephoneNumber: String, attributes: NumberAttributes, activatedAt: Int64?, user: TeamsUser?, callingName: String? = nil,
        emergencyAddressID: Int64? = nil
    ) {
        self.telephoneNumber = telephoneNumber
        self.attributes = attributes
        self.activatedAt = activatedAt
        self.user = user
        self.callingName = callingName
        self.emergencyAddressID = emergencyAddressID
    }
}

/// The status filter of the Teams numbers listing. Raw values are the wire spelling of `status`.
public enum TeamsNumberFilter: String, Sendable, CaseIterable {
    /// Free and provisioned numbers of the customer, but not numbers peered to Zoom.
    case all
    /// Numbers held by the customer with status `assigned`, free for provisioning.
    case available
    /// Numbers provisioned to a Teams user of the customer.
    case assigned
}

/// A customer's number peered to its linked Zoom account.
public struct ZoomPeering: Sendable, Equatable {
    public var id: Int64
    public var customerID: Int64
    /// E.164 digits without `+`.
    public var telephoneNumber: String
    /// Unix seconds.
    public var createdAt: Int64

    public init(id: Int64, customerID: Int64, telephoneNumber: String, createdAt: Int64) {
        self.id = id
        self.customerID = customerID
        self.telephoneNumber = telephoneNumber
        self.createdAt = createdAt
    }
}

/// The reason a number cannot be provisioned to a Teams user, peered to Zoom or un-peered.
public enum ProvisioningBlocker: Sendable, Equatable {
    /// The customer itself does not hold the number (also for unknown and foreign numbers).
    case notHeldByCustomer
    /// The number is provisioned to a Teams user.
    case teamsUser
    /// The number is peered to Zoom.
    case zoomPeering
    /// The number is not peered to this customer's Zoom account (un-peering only).
    case notPeered

    /// A plain sentence for the wire `reason` field.
    public var message: String {
        switch self {
        case .notHeldByCustomer:
            "The number is not held by this customer. If it is in your inventory, assign it to the customer first with POST /v1/numbers/assign; otherwise check the number."
        case .teamsUser:
            "The number is provisioned to a Microsoft Teams user; unprovision the user first."
        case .zoomPeering:
            "The number is already peered to Zoom; un-peer it first."
        case .notPeered:
            "The number is not peered to this customer's Zoom account."
        }
    }
}

/// One number of a bulk Zoom call that was rejected.
public struct ProvisioningRejection: Sendable, Equatable {
    /// E.164 digits without `+`.
    public var telephoneNumber: String
    public var blocker: ProvisioningBlocker

    public init(telephoneNumber: String, blocker: ProvisioningBlocker) {
        self.telephoneNumber = telephoneNumber
        self.blocker = blocker
    }
}

/// The outcome of a bulk Zoom call: every number changed, or none and the reasons why.
public enum PeeringOutcome: Sendable, Equatable {
    case changed(Int)
    /// Nothing changed. `rejections` lists at most `NumberRules.maxListedRejections` of `total`.
    case rejected(rejections: [ProvisioningRejection], total: Int)
}
