extension FieldRules {
    /// Maximum length of a user principal name, before and after the `@`, per Microsoft's
    /// userPrincipalName requirements (Microsoft 365 support article KB 2439357).
    public static let maxUPNLength = 113
    public static let maxUPNUserNameLength = 64
    public static let maxUPNDomainLength = 48

    /// Checks a Microsoft 365 user principal name: `user@domain`, at most 113 characters in
    /// all, 64 before the `@` and 48 after it.
    ///
    /// The user name takes ASCII letters, digits and `' . - _ ! # ^ ~`, with no dot at
    /// either end and no two dots in a row. The domain is a DNS name of at least two labels.
    public static func validateUserPrincipalName(_ value: String, field: String) -> [FieldError] {
        let bytes = Array(value.utf8)
        guard bytes.count <= maxUPNLength else {
            return [
                FieldError(
                    field: field, message: "the user principal name is \(bytes.count) characters long; the maximum is \(maxUPNLength)")
            ]
        }
        let atSigns = bytes.indices.filter { bytes[$0] == UInt8(ascii: "@") }
        guard atSigns.count == 1, let at = atSigns.first else {
            return [
                FieldError(
                    field: field, message: "\(quoted(value)) is not a user principal name; use the form first.last@example.com with one @")
            ]
        }
        let userName = bytes[..<at]
        let domain = bytes[(at + 1)...]

        var errors: [FieldError] = []
        if userName.isEmpty || userName.count > maxUPNUserNameLength {
            errors.append(
                FieldError(
                    field: field, message: "the part of \(quoted(value)) before the @ must be 1 to \(maxUPNUserNameLength) characters long")
            )
        } else if !userName.allSatisfy(isUPNUserNameByte) {
            errors.append(
                FieldError(
                    field: field,
                    message: "the part of \(quoted(value)) before the @ may contain only ASCII letters, digits and ' . - _ ! # ^ ~"))
        } else if userName.first == UInt8(ascii: ".") || userName.last == UInt8(ascii: ".") {
            errors.append(FieldError(field: field, message: "the part of \(quoted(value)) before the @ must not start or end with a dot"))
        } else if containsConsecutiveDots(userName) {
            errors.append(FieldError(field: field, message: "the part of \(quoted(value)) before the @ must not contain two dots in a row"))
        }
        if domain.count > maxUPNDomainLength || !isHostname(domain) {
            errors.append(
                FieldError(
                    field: field,
                    message:
                        "the part of \(quoted(value)) after the @ must be a domain name such as example.com of at most \(maxUPNDomainLength) characters"
                ))
        }
        return errors
    }

    private static func isUPNUserNameByte(_ byte: UInt8) -> Bool {
        if isASCIILetterOrDigit(byte) {
            return true
        }
        let specials: StaticString = "'.-_!#^~"
        return specials.withUTF8Buffer { $0.contains(byte) }
    }
}
