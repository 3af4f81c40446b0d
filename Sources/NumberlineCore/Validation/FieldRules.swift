/// Format checks for single request fields; each returns an empty array when the value is valid.
///
/// The checks look only at the value itself. Which fields are required, and empty-string
/// handling, belong to the caller (see `AccountRules`).
public enum FieldRules {
    // MARK: - Limits

    /// Maximum length of a free-text field, counted in Unicode scalars.
    public static let maxFreeTextLength = 255
    /// Maximum length of an email address in bytes (RFC 5321 path limit minus the angle brackets).
    public static let maxEmailLength = 254
    /// Maximum length of an email local part in bytes (RFC 5321).
    public static let maxEmailLocalPartLength = 64
    public static let usernameLengths = 3...64
    /// Minimum password length in Unicode scalars (JSON Schema `minLength` counts the same way).
    public static let minPasswordLength = 12
    /// Maximum password length in Unicode scalars, at most 4096 UTF-8 bytes, which keeps the
    /// work of hashing one request bounded.
    public static let maxPasswordLength = 1024

    // MARK: - Free text

    /// Checks that `value` is at most 255 Unicode scalars and contains no control characters.
    ///
    /// Scalars rather than grapheme clusters are counted, because one cluster can carry any
    /// number of combining marks and would leave the stored size unbounded.
    public static func validateFreeText(_ value: String, field: String) -> [FieldError] {
        var errors: [FieldError] = []
        let length = value.unicodeScalars.count
        if length > maxFreeTextLength {
            errors.append(
                FieldError(
                    field: field,
                    message: "value is \(length) characters long; shorten it to at most \(maxFreeTextLength)"
                ))
        }
        if let control = value.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            errors.append(
                FieldError(
                    field: field,
                    message:
                        "\(quoted(value)) contains the control character U+\(hexScalar(control)); remove line breaks, tabs and other control characters"
                ))
        }
        return errors
    }

    // MARK: - Email

    /// Checks an email address pragmatically: one `@`, an ASCII local part of at most 64 bytes
    /// without spaces, and a domain of at least two dot-separated labels made of letters,
    /// digits and inner hyphens. Internationalized domains must arrive in punycode (`xn--`).
    public static func validateEmail(_ value: String, field: String) -> [FieldError] {
        let invalid = [
            FieldError(
                field: field,
                message: "\(quoted(value)) is not a valid email address; use the form name@example.com"
            )
        ]
        let bytes = Array(value.utf8)
        if bytes.count > maxEmailLength {
            return [
                FieldError(
                    field: field,
                    message: "email address is \(bytes.count) bytes long; the maximum is \(maxEmailLength)"
                )
            ]
        }

        let atSigns = bytes.indices.filter { bytes[$0] == UInt8(ascii: "@") }
        guard atSigns.count == 1, let at = atSigns.first else { return invalid }
        let localPart = bytes[..<at]
        let domain = bytes[(at + 1)...]

        guard !localPart.isEmpty, localPart.count <= maxEmailLocalPartLength else {
            if localPart.count > maxEmailLocalPartLength {
                return [
                    FieldError(
                        field: field,
                        message: "the part of \(quoted(value)) before the @ is longer than \(maxEmailLocalPartLength) bytes; shorten it"
                    )
                ]
            }
            return invalid
        }
        guard localPart.allSatisfy(isLocalPartByte) else { return invalid }
        guard localPart.first != UInt8(ascii: "."), localPart.last != UInt8(ascii: ".") else { return invalid }
        guard !containsConsecutiveDots(localPart) else { return invalid }

        guard isHostname(domain) else { return invalid }
        return []
    }

    private static func isLocalPartByte(_ byte: UInt8) -> Bool {
        if isASCIILetterOrDigit(byte) {
            return true
        }
        // The RFC 5322 dot-atom characters other than letters and digits.
        let specials: StaticString = "!#$%&'*+-/=?^_`{|}~."
        return specials.withUTF8Buffer { $0.contains(byte) }
    }

    static func containsConsecutiveDots(_ bytes: ArraySlice<UInt8>) -> Bool {
        zip(bytes, bytes.dropFirst()).contains { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") }
    }

    /// Whether `bytes` is a DNS name with at least two labels of 1 to 63 letters, digits and
    /// hyphens, no label starting or ending with a hyphen, and a top-level label that is not
    /// all digits.
    static func isHostname(_ bytes: ArraySlice<UInt8>) -> Bool {
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.count) else { return false }
            guard label.allSatisfy({ isASCIILetterOrDigit($0) || $0 == UInt8(ascii: "-") }) else { return false }
            guard label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else { return false }
        }
        let topLevel = labels[labels.count - 1]
        return !topLevel.allSatisfy(isASCIIDigit)
    }

    // MARK: - Logins

    /// Checks a username: 3 to 64 ASCII letters, digits and `. _ @ + -`, starting with a letter or digit.
    public static func validateUsername(_ value: String, field: String) -> [FieldError] {
        let bytes = Array(value.utf8)
        guard usernameLengths.contains(bytes.count) else {
            return [
                FieldError(
                    field: field,
                    message:
                        "username \(quoted(value)) is \(value.count) characters long; use \(usernameLengths.lowerBound) to \(usernameLengths.upperBound)"
                )
            ]
        }
        let allowed = bytes.allSatisfy { byte in
            isASCIILetterOrDigit(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
        }
        guard allowed else {
            return [
                FieldError(
                    field: field,
                    message: "username \(quoted(value)) contains a character other than ASCII letters, digits and . _ @ + -; remove it"
                )
            ]
        }
        guard isASCIILetterOrDigit(bytes[0]) else {
            return [
                FieldError(
                    field: field,
                    message: "username \(quoted(value)) must start with a letter or digit"
                )
            ]
        }
        return []
    }

    /// Checks a password: 12 to 1024 Unicode scalars, not only whitespace. Scalars rather than
    /// grapheme clusters are counted, so that the limits are the ones the OpenAPI document states.
    /// Messages never repeat the password.
    public static func validatePassword(_ value: String, field: String) -> [FieldError] {
        var errors: [FieldError] = []
        let length = value.unicodeScalars.count
        if length < minPasswordLength {
            errors.append(
                FieldError(
                    field: field,
                    message: "password is shorter than \(minPasswordLength) characters; choose a longer one"
                ))
        }
        if length > maxPasswordLength {
            errors.append(
                FieldError(
                    field: field,
                    message: "password is longer than \(maxPasswordLength) characters; choose a shorter one"
                ))
        }
        if !value.isEmpty && value.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            errors.append(
                FieldError(
                    field: field,
                    message: "password consists only of whitespace; choose one with visible characters"
                ))
        }
        return errors
    }

    // MARK: - Microsoft 365

    /// Checks a Microsoft 365 tenant id: a GUID in the form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`
    /// with hex digits of either case.
    public static func validateTenantID(_ value: String, field: String) -> [FieldError] {
        let groupLengths = [8, 4, 4, 4, 12]
        let groups = value.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        let isGUID = groups.map(\.count) == groupLengths && groups.allSatisfy { $0.allSatisfy(isHexDigit) }
        guard isGUID else {
            return [
                FieldError(
                    field: field,
                    message: "\(quoted(value)) is not a Microsoft 365 tenant id; use the GUID form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
                )
            ]
        }
        return []
    }

    // MARK: - Character classes

    static func isASCIIDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isASCIIUpperLetter(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
    }

    static func isASCIILetterOrDigit(_ byte: UInt8) -> Bool {
        isASCIIDigit(byte) || isASCIIUpperLetter(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isASCIIDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }

    private static func hexScalar(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
