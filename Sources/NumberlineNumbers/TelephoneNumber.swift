/// How far `TelephoneNumbers.parse` checks a number beyond reading its digits.
public enum ValidationMode: String, Sendable {
    /// The length fits the numbering plan of the number's country (libphonenumber `IsPossibleNumber`).
    case possible
    /// The number also lies in a range its region assigns (libphonenumber `IsValidNumber`).
    case strict
}

/// A telephone number in E.164 form, as the server stores and returns it.
public struct TelephoneNumber: Hashable, Sendable, Comparable {
    /// The E.164 digits without `+`, such as "19195550100".
    public let digits: String
    /// The ISO 3166-1 alpha-2 region of the number, or "001" for non-geographic codes such as +800.
    public let region: String

    init(digits: String, region: String) {
        self.digits = digits
        self.region = region
    }

    /// The number with its leading `+`, such as "+19195550100".
    public var e164: String {
        "+" + digits
    }

    /// Orders by digits, then by region.
    public static func < (lhs: TelephoneNumber, rhs: TelephoneNumber) -> Bool {
        if lhs.digits != rhs.digits {
            return lhs.digits < rhs.digits
        }
        return lhs.region < rhs.region
    }
}
