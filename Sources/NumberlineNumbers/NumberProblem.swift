import CPhoneNumber

/// The reason an input is not accepted as a telephone number.
///
/// `input` is the text as the caller gave it. `region` is the region the number was
/// checked against: the default region, or the main region of the number's country code.
public enum NumberProblem: Error, Equatable, Sendable {
    /// The input is empty or contains only spaces.
    case empty
    /// The input is longer than `TelephoneNumbers.maxInputBytes` bytes of UTF-8.
    case inputTooLong(input: String)
    /// The input contains letters, such as the vanity number "1-800-FLOWERS".
    case containsLetters(input: String)
    /// The input contains a character other than digits, `+`, spaces, dots, dashes and parentheses.
    case invalidCharacter(input: String, character: Character)
    /// The input carries an extension, such as "ext. 12" or "x12".
    case hasExtension(input: String)
    /// The input has neither a leading `+` nor a default region, and is not a bare run of digits.
    case missingCountryCode(input: String)
    /// The default region is not a region that libphonenumber has numbering data for.
    case unsupportedRegion(input: String, region: String)
    /// The digits after `+` (or after the international dialing prefix) are no country calling code.
    case invalidCountryCode(input: String)
    /// The input has too few digits, or too much other text, to be a telephone number.
    case notANumber(input: String)
    /// Too few digits follow the international dialing prefix (such as 011 or 00).
    case tooShortAfterIDD(input: String)
    /// Fewer digits follow the country code than any national number has (libphonenumber: 2).
    case tooShortNationalNumber(input: String)
    /// More digits follow the country code than any national number has (libphonenumber: 17).
    case tooLongNationalNumber(input: String)
    /// The number is shorter than every number of its region.
    case tooShort(input: String, region: String)
    /// The number is longer than every number of its region.
    case tooLong(input: String, region: String)
    /// The length lies between the region's shortest and longest numbers but matches none of them.
    case invalidLength(input: String, region: String)
    /// The number can only be dialled inside its area, because the area code is missing.
    case localOnly(input: String, region: String)
    /// libphonenumber accepts the number, but with its country code it has more than the
    /// 15 digits that E.164 allows. German metadata, for one, allows 15-digit national numbers.
    case longerThanE164(input: String, region: String)
    /// Strict mode: the length is possible, but the region assigns no such number range.
    case notValid(input: String, region: String)
    /// libphonenumber failed inside (for example out of memory); the input may be fine.
    case internalError(input: String)

    /// A plain-English sentence naming the input and saying what to do.
    public var message: String {
        switch self {
        case .empty:
            return "The telephone number is empty; give a number with a leading + and its country code, such as +1 919 555 0100."
        case .inputTooLong(let input):
            return
                "\(quoted(input)) is \(input.utf8.count) bytes long, but a telephone number may have at most \(TelephoneNumbers.maxInputBytes); give only the number."
        case .containsLetters(let input):
            return
                "\(quoted(input)) contains letters; give the number in digits only (vanity numbers such as 1-800-FLOWERS and extensions are not accepted)."
        case .invalidCharacter(let input, let character):
            return
                "\(quoted(input)) contains \(quoted(String(character))); use only digits, a leading +, spaces, dots, dashes and parentheses."
        case .hasExtension(let input):
            return "\(quoted(input)) has an extension; give the number without it."
        case .missingCountryCode(let input):
            return "\(quoted(input)) has no country code; give countryCode or a leading +."
        case .unsupportedRegion(let input, let region):
            return
                "The region \(quoted(region)) for \(quoted(input)) is not an ISO 3166-1 alpha-2 code with numbering data; give a code such as US or GB, or a number with a leading +."
        case .invalidCountryCode(let input):
            return
                "\(quoted(input)) does not start with a known country calling code; check the digits after the + or the international dialing prefix."
        case .notANumber(let input):
            return "\(quoted(input)) is not a telephone number; give its digits, such as +1 919 555 0100."
        case .tooShortAfterIDD(let input):
            return
                "\(quoted(input)) is too short after the international dialing prefix; give the country code and the full number after it."
        case .tooShortNationalNumber(let input):
            return "\(quoted(input)) has too few digits after the country code; give the full national number."
        case .tooLongNationalNumber(let input):
            return "\(quoted(input)) has more digits after the country code than any national number (at most 17); remove the extra digits."
        case .tooShort(let input, let region):
            return "\(quoted(input)) is too short for a \(region) number; give the full national number\(example(region))."
        case .tooLong(let input, let region):
            return "\(quoted(input)) is too long for a \(region) number; remove the extra digits\(example(region))."
        case .invalidLength(let input, let region):
            return "\(quoted(input)) has a length that no \(region) number has; check for a missing or extra digit\(example(region))."
        case .localOnly(let input, let region):
            return "\(quoted(input)) is a local \(region) number without its area code; give the full national number\(example(region))."
        case .longerThanE164(let input, let region):
            return
                "\(quoted(input)) is a \(region) number longer than the 15 digits E.164 allows, country code included; remove the extra digits."
        case .notValid(let input, let region):
            return "\(quoted(input)) is not a valid \(region) number, because no such number range is assigned; check the digits."
        case .internalError(let input):
            return "The number library failed while reading \(quoted(input)); try again, and report it if it persists."
        }
    }
}

/// Quotes a value for a message, shortening long values so that a message stays one line.
private func quoted(_ value: String) -> String {
    let limit = 40
    if value.count <= limit {
        return "\"\(value)\""
    }
    return "\"\(value.prefix(limit))…\""
}

/// Returns ", such as +1 201-555-0123" for a region with an example number, else "".
private func example(_ region: String) -> String {
    var buffer = [CChar](repeating: 0, count: Int(NL_PHONE_EXAMPLE_CAPACITY))
    let found = region.withCString { regionPointer in
        nl_phone_example_number(regionPointer, &buffer, buffer.count)
    }
    guard found == 1 else {
        return ""
    }
    return ", such as \(decodeCString(buffer))"
}
