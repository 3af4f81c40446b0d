import CPhoneNumber

/// Parsing and validation of telephone numbers through Google libphonenumber.
///
/// Every function may be called from any thread or task at once.
public enum TelephoneNumbers {
    /// The maximum input accepted, in bytes of UTF-8.
    public static let maxInputBytes = 64

    /// The maximum digits of an E.164 number, country code included (ITU-T E.164).
    public static let maxE164Digits = 15

    /// Parses `input` into an E.164 number and checks it as `mode` requests.
    ///
    /// The input may contain digits, a `+`, spaces, dots, dashes and parentheses. Letters
    /// (vanity numbers), extensions, other characters, empty input and input longer than
    /// `maxInputBytes` are rejected. `defaultRegion` is an ISO 3166-1 alpha-2 code, read
    /// case-insensitively. The number is read as follows:
    ///
    /// 1. With a `+`, the country code comes from the input, and `defaultRegion` only
    ///    decides the reported region of a number that is not valid.
    /// 2. Without a `+` and with `defaultRegion`, the input is a national number of that
    ///    region. It may start with an international dialing prefix (011 in the US, 00 in
    ///    most of Europe) or with the region's own country code. When that reading fails
    ///    and the input is digits only, the digits are read again as E.164 with a `+` in
    ///    front. When both fail, the first reading's problem is returned. So "9195550100"
    ///    with US is +1 919 555 0100, and "447911123456" with US is +44 7911 123456.
    /// 3. Without a `+` and without `defaultRegion`, input of digits only is E.164 without
    ///    its `+` ("19195550100"); anything else fails with `missingCountryCode`.
    ///
    /// A national reading "fails" when it does not pass `mode`. A number that is possible
    /// only for local dialling, without its area code, never passes, and neither does one
    /// with more than `maxE164Digits` digits.
    public static func parse(_ input: String, defaultRegion: String?, mode: ValidationMode) -> Result<TelephoneNumber, NumberProblem> {
        if input.utf8.count > maxInputBytes {
            return .failure(.inputTooLong(input: input))
        }
        if input.utf8.allSatisfy({ $0 == UInt8(ascii: " ") }) {
            return .failure(.empty)
        }

        var region: String? = nil
        if let defaultRegion {
            let upper = defaultRegion.uppercased()
            guard isSupportedRegion(upper) else {
                return .failure(.unsupportedRegion(input: input, region: defaultRegion))
            }
            region = upper
        }

        if let problem = characterProblem(in: input, region: region) {
            return .failure(problem)
        }

        let isDigitsOnly = input.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }

        if let region {
            let national = callLibrary(input, text: input, region: region, mode: mode)
            guard case .failure = national, isDigitsOnly else {
                return national
            }
            let international = callLibrary(input, text: "+" + input, region: region, mode: mode)
            if case .success = international {
                return international
            }
            return national
        }

        if input.contains("+") {
            return callLibrary(input, text: input, region: nil, mode: mode)
        }
        if isDigitsOnly {
            return callLibrary(input, text: "+" + input, region: nil, mode: mode)
        }
        return .failure(.missingCountryCode(input: input))
    }

    /// The outcome of ``selfCheck(count:seed:)``.
    public struct SelfCheck: Sendable {
        /// Generated numbers compared on both paths.
        public var compared: Int
        /// Numbers on which the two paths disagreed.
        public var disagreements: Int
        /// The first disagreement, or an empty string.
        public var firstDisagreement: String
    }

    /// Compares the shim's own region and validity checks, which avoid libphonenumber's
    /// regular expressions, with the library's results on `count` generated numbers.
    public static func selfCheck(count: Int, seed: UInt32) -> SelfCheck {
        var compared = 0
        var report = [CChar](repeating: 0, count: 512)
        let disagreements = nl_phone_self_check(count, seed, &compared, &report, report.count)
        return SelfCheck(compared: compared, disagreements: disagreements, firstDisagreement: decodeCString(report))
    }

    /// Returns whether libphonenumber has numbering data for the region code (upper case).
    public static func isSupportedRegion(_ region: String) -> Bool {
        region.withCString { nl_phone_is_supported_region($0) } == 1
    }

    // MARK: - Steps

    /// Returns the problem with the first character outside the accepted set, if any.
    ///
    /// Before it reports letters or symbols, it lets the library check whether they form an
    /// extension ("ext. 12", "x12", "#12"), because that problem has a more useful message.
    private static func characterProblem(in input: String, region: String?) -> NumberProblem? {
        // Every accepted character is one ASCII byte, so a scan of the bytes finds the
        // common case, nothing to reject, without walking grapheme clusters.
        guard input.utf8.contains(where: { !isAcceptedByte($0) }), let rejected = input.first(where: { !isAccepted($0) }) else {
            return nil
        }
        if case .failure(.hasExtension) = callLibrary(input, text: input, region: region, mode: .possible) {
            return .hasExtension(input: input)
        }
        if input.contains(where: { $0.isLetter }) {
            return .containsLetters(input: input)
        }
        return .invalidCharacter(input: input, character: rejected)
    }

    private static func isAcceptedByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: "-"),
            UInt8(ascii: "("), UInt8(ascii: ")"):
            return true
        default:
            return false
        }
    }

    private static func isAccepted(_ character: Character) -> Bool {
        switch character {
        case "0"..."9", "+", " ", ".", "-", "(", ")":
            return true
        default:
            return false
        }
    }

    /// Runs the shim on `text`. `input` is the caller's text, which any problem names.
    ///
    /// A success must read back to itself: libphonenumber strips a national prefix again
    /// from E.164 digits whose national part starts with it (in ZA, "00000000000" gives
    /// 270000000000, and "+270000000000" gives 27000000000). Such digits could never be
    /// looked up again, so they fail as `notValid`. The extra read happens only when `text`
    /// is not already "+" and the digits.
    private static func callLibrary(
        _ input: String, text: String, region: String?, mode: ValidationMode, checksRoundTrip: Bool = true
    ) -> Result<TelephoneNumber, NumberProblem> {
        var digitsBuffer = [CChar](repeating: 0, count: Int(NL_PHONE_DIGITS_CAPACITY))
        var regionBuffer = [CChar](repeating: 0, count: Int(NL_PHONE_REGION_CAPACITY))
        let strict: Int32 = mode == .strict ? 1 : 0

        var utf8Text = text
        let result = utf8Text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { characters in
                if let region {
                    return region.withCString { regionPointer in
                        nl_phone_parse(characters.baseAddress, characters.count, regionPointer, strict, &digitsBuffer, &regionBuffer)
                    }
                }
                return nl_phone_parse(characters.baseAddress, characters.count, nil, strict, &digitsBuffer, &regionBuffer)
            }
        }

        let numberRegion = decodeCString(regionBuffer)
        switch result {
        case NL_PHONE_OK:
            let digits = decodeCString(digitsBuffer)
            if digits.utf8.count > maxE164Digits {
                return .failure(.longerThanE164(input: input, region: numberRegion))
            }
            if checksRoundTrip && text != "+" + digits {
                let again = callLibrary(input, text: "+" + digits, region: nil, mode: mode, checksRoundTrip: false)
                guard case .success(let reread) = again, reread.digits == digits else {
                    return .failure(.notValid(input: input, region: numberRegion))
                }
            }
            return .success(TelephoneNumber(digits: digits, region: numberRegion))
        case NL_PHONE_INVALID_COUNTRY_CODE, NL_PHONE_NOT_POSSIBLE_INVALID_COUNTRY_CODE:
            return .failure(.invalidCountryCode(input: input))
        case NL_PHONE_NOT_A_NUMBER:
            return .failure(.notANumber(input: input))
        case NL_PHONE_TOO_SHORT_AFTER_IDD:
            return .failure(.tooShortAfterIDD(input: input))
        case NL_PHONE_TOO_SHORT_NSN:
            return .failure(.tooShortNationalNumber(input: input))
        case NL_PHONE_TOO_LONG_NSN:
            return .failure(.tooLongNationalNumber(input: input))
        case NL_PHONE_NOT_POSSIBLE_TOO_SHORT:
            return .failure(.tooShort(input: input, region: numberRegion))
        case NL_PHONE_NOT_POSSIBLE_TOO_LONG:
            return .failure(.tooLong(input: input, region: numberRegion))
        case NL_PHONE_NOT_POSSIBLE_INVALID_LENGTH:
            return .failure(.invalidLength(input: input, region: numberRegion))
        case NL_PHONE_NOT_POSSIBLE_LOCAL_ONLY:
            return .failure(.localOnly(input: input, region: numberRegion))
        case NL_PHONE_NOT_VALID:
            return .failure(.notValid(input: input, region: numberRegion))
        case NL_PHONE_HAS_EXTENSION:
            return .failure(.hasExtension(input: input))
        default:
            // NL_PHONE_BAD_ARGUMENT cannot occur: parse checks the region first, and its
            // text (at most maxInputBytes + 1 bytes) stays under NL_PHONE_MAX_INPUT_BYTES.
            return .failure(.internalError(input: input))
        }
    }
}

/// Decodes a NUL-terminated buffer filled by the shim.
func decodeCString(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
