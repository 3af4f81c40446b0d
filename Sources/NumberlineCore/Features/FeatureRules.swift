/// Rules about per-number features: plain functions, no I/O.
public enum FeatureRules {
    /// The maximum characters of a calling name (CNAM): the 15 that carriers deliver to the called party.
    public static let maxCallingNameLength = 15

    /// Punctuation a calling name may contain besides ASCII letters, digits and the space.
    ///
    /// The set is a conservative subset of what CNAM providers accept. Some carriers drop or
    /// replace other characters (accents, `@`, `/`, quotes other than the apostrophe), so the
    /// server rejects them rather than store a name that changes on the way to the called party.
    public static let callingNamePunctuation: Set<Character> = [".", ",", "&", "-", "'"]

    /// Returns why `name` cannot be a calling name, or `nil` when it can.
    ///
    /// A calling name is 1 to 15 characters of `A-Z`, `a-z`, `0-9`, space and `. , & - '`.
    /// The message of a rejected character names the character and its 1-based position.
    public static func callingNameProblem(_ name: String) -> String? {
        if name.isEmpty {
            return "callingName is empty; give 1 to \(maxCallingNameLength) characters"
        }
        for (offset, character) in name.enumerated() where !isCallingNameCharacter(character) {
            let scalars = character.unicodeScalars.map(codePoint).joined(separator: " ")
            return "callingName contains \(quoted(String(character))) (\(scalars)) at position \(offset + 1); "
                + "use only letters A-Z, digits, space and . , & - '"
        }
        let length = name.count
        if length > maxCallingNameLength {
            return "callingName is \(length) characters long; shorten it to at most \(maxCallingNameLength)"
        }
        return nil
    }

    /// Formats a scalar as `U+0040`.
    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private static func isCallingNameCharacter(_ character: Character) -> Bool {
        guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first, scalar.isASCII else {
            return false
        }
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", " ":
            return true
        default:
            return callingNamePunctuation.contains(character)
        }
    }
}

/// The server-assigned identifier of a disaster plan: `DAS-` followed by six digits.
public struct DisasterPlanID: Sendable, Hashable, CustomStringConvertible {
    /// The number behind the six digits, from 1 to 999999.
    public let number: Int

    /// The largest number six digits can show.
    public static let maxNumber = 999_999

    /// Creates the id for `number`; `nil` outside 1...999999.
    public init?(number: Int) {
        guard (1...Self.maxNumber).contains(number) else {
            return nil
        }
        self.number = number
    }

    /// Parses `DAS-123456` (upper case, exactly six digits); `nil` for anything else.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, text.hasPrefix("DAS-"),
            bytes[4...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int(String(decoding: bytes[4...], as: UTF8.self))
        else {
            return nil
        }
        self.init(number: value)
    }

    /// The wire form, such as `DAS-000042`.
    public var description: String {
        let digits = String(number)
        return "DAS-" + String(repeating: "0", count: 6 - digits.count) + digits
    }
}

/// The international calling policy of a number. Raw values are the wire spelling.
public enum InternationalCallingCriteria: String, Sendable, CaseIterable {
    case allowAll = "ALLOW-ALL-INTL"
    case blockAll = "BLOCK-ALL-INTL"
}

/// The kind of place an emergency (E911) address names. Raw values are the wire codes,
/// after the location types of the NENA civic address standard (NENA-STA-004).
public enum EmergencyAddressType: String, Sendable, CaseIterable {
    /// An office.
    case office = "OFC"
    /// A private residence.
    case residence = "RES"
    /// A building of a campus.
    case building = "BLD"
    /// A floor of a building.
    case floor = "FLR"
    /// A suite.
    case suite = "STE"
    /// A unit, such as an apartment.
    case unit = "UNIT"
    /// A room.
    case room = "RM"
    /// A department.
    case department = "DEPT"
}
