extension FieldRules {
    /// Checks an ISO 3166-1 alpha-2 country code. Only upper case is accepted, so that stored
    /// codes compare equal without normalizing.
    public static func validateCountry(_ value: String, field: String) -> [FieldError] {
        if RegionCodes.countries.contains(value) {
            return []
        }
        let upper = value.uppercased()
        if RegionCodes.countries.contains(upper) {
            return [
                FieldError(
                    field: field,
                    message: "\(quoted(value)) must be upper case; use \(quoted(upper))"
                )
            ]
        }
        return [
            FieldError(
                field: field,
                message: "\(quoted(value)) is not a two-letter ISO 3166-1 country code; use e.g. \"US\" or \"CA\""
            )
        ]
    }

    /// Checks a state or province code when `country` is `US` or `CA`, and accepts any state
    /// for other or missing countries.
    public static func validateState(_ state: String, country: String?, field: String) -> [FieldError] {
        let codes: Set<String>
        let example: String
        switch country {
        case "US":
            codes = RegionCodes.unitedStatesStates
            example = "a two-letter USPS code such as \"NY\" or \"DC\""
        case "CA":
            codes = RegionCodes.canadianProvinces
            example = "a two-letter province or territory code such as \"ON\" or \"QC\""
        default:
            return []
        }

        if codes.contains(state) {
            return []
        }
        if codes.contains(state.uppercased()) {
            return [
                FieldError(
                    field: field,
                    message: "\(quoted(state)) must be upper case; use \(quoted(state.uppercased()))"
                )
            ]
        }
        return [
            FieldError(
                field: field,
                message: "\(quoted(state)) is not a state code of \(country ?? ""); use \(example)"
            )
        ]
    }

    /// Checks a US ZIP code (`12345` or `12345-6789`) or a Canadian postal code (`A1A 1A1`,
    /// space optional, upper case) when `country` is `US` or `CA`. Other countries pass.
    public static func validatePostalCode(_ value: String, country: String?, field: String) -> [FieldError] {
        switch country {
        case "US":
            guard isZIPCode(Array(value.utf8)) else {
                return [
                    FieldError(
                        field: field,
                        message: "\(quoted(value)) is not a US ZIP code; use 5 digits or ZIP+4 such as \"10001\" or \"10001-1234\""
                    )
                ]
            }
            return []
        case "CA":
            guard isCanadianPostalCode(Array(value.utf8)) else {
                return [
                    FieldError(
                        field: field,
                        message: "\(quoted(value)) is not a Canadian postal code; use upper case in the form \"K1A 0B1\""
                    )
                ]
            }
            return []
        default:
            return []
        }
    }

    private static func isZIPCode(_ bytes: [UInt8]) -> Bool {
        switch bytes.count {
        case 5:
            return bytes.allSatisfy(isASCIIDigit)
        case 10:
            return bytes[5] == UInt8(ascii: "-")
                && bytes[..<5].allSatisfy(isASCIIDigit)
                && bytes[6...].allSatisfy(isASCIIDigit)
        default:
            return false
        }
    }

    /// Whether `bytes` is `A1A 1A1` or `A1A1A1`. Canada Post never uses D, F, I, O, Q or U,
    /// and never starts a code with W or Z.
    private static func isCanadianPostalCode(_ bytes: [UInt8]) -> Bool {
        var characters = bytes
        if characters.count == 7 {
            guard characters[3] == UInt8(ascii: " ") else { return false }
            characters.remove(at: 3)
        }
        guard characters.count == 6 else { return false }

        let unusedLetters = Array("DFIOQU".utf8)
        let unusedFirstLetters = Array("WZ".utf8)
        for (position, byte) in characters.enumerated() {
            if position % 2 == 1 {
                guard isASCIIDigit(byte) else { return false }
                continue
            }
            guard isASCIIUpperLetter(byte), !unusedLetters.contains(byte) else { return false }
            if position == 0 && unusedFirstLetters.contains(byte) {
                return false
            }
        }
        return true
    }
}
