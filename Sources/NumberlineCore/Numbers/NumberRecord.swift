/// The life-cycle state of a telephone number. Raw values are the wire spelling.
public enum NumberStatus: String, Sendable, CaseIterable {
    /// In a reseller's inventory, not handed to any customer.
    case available
    /// Handed to a customer, which may pass it further down its own subtree.
    case assigned
    /// Provisioned to a Microsoft Teams user or peered to Zoom; such a number cannot move or be removed.
    case provisioned
}

/// The check an instance applies to uploaded numbers.
public enum NumberValidation: String, Sendable, CaseIterable {
    /// The length fits the numbering plan of the number's country (libphonenumber `IsPossibleNumber`).
    case possible
    /// The number also lies in a range its region assigns (libphonenumber `IsValidNumber`).
    case strict
}

/// A carrier defined by the platform admin; numbers are uploaded to one.
public struct Carrier: Sendable, Equatable {
    public var id: Int64
    public var instanceID: Int64
    public var name: String

    public init(id: Int64, instanceID: Int64, name: String) {
        self.id = id
        self.instanceID = instanceID
        self.name = name
    }
}

/// Descriptive fields of a number that the uploader sets and the reference returns as is.
public struct NumberAttributes: Sendable, Equatable {
    public var type: String?
    public var subType: String?
    public var orderType: String?
    public var routeLabel: String?

    public init(type: String? = nil, subType: String? = nil, orderType: String? = nil, routeLabel: String? = nil) {
        self.type = type
        self.subType = subType
        self.orderType = orderType
        self.routeLabel = routeLabel
    }
}

/// A number to insert: E.164 digits without `+`, its region and its attributes.
public struct NewNumber: Sendable, Equatable {
    public var telephoneNumber: String
    /// ISO 3166-1 alpha-2 region from libphonenumber, or "001" for non-geographic codes.
    public var country: String
    public var attributes: NumberAttributes

    public init(telephoneNumber: String, country: String, attributes: NumberAttributes) {
        self.telephoneNumber = telephoneNumber
        self.country = country
        self.attributes = attributes
    }
}

/// A stored number with its carrier and holder.
public struct NumberRecord: Sendable, Equatable {
    /// E.164 digits without `+`, such as "15556667777".
    public var telephoneNumber: String
    public var country: String?
    public var carrier: Carrier?
    /// The account holding the number: a reseller (its inventory) or a customer.
    public var accountID: Int64
    public var accountKind: AccountKind
    /// Path of the holding account, for visibility checks (`Caller.canSee(path:)`).
    public var accountPath: String
    /// The reseller at the top of the holder's branch.
    public var resellerID: Int64
    public var status: NumberStatus
    public var attributes: NumberAttributes
    /// Unix seconds of the last assignment to a customer; `nil` while in a reseller's inventory.
    public var activatedAt: Int64?

    public init(
        telephoneNumber: String, country: String?, carrier: Carrier?, accountID: Int64, accountKind: AccountKind,
        accountPath: String, resellerID: Int64, status: NumberStatus, attributes: NumberAttributes, activatedAt: Int64?
    ) {
        self.telephoneNumber = telephoneNumber
        self.country = country
        self.carrier = carrier
        self.accountID = accountID
        self.accountKind = accountKind
        self.accountPath = accountPath
        self.resellerID = resellerID
        self.status = status
        self.attributes = attributes
        self.activatedAt = activatedAt
    }
}
