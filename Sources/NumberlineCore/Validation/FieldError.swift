/// One invalid field in a request, named by its wire path, e.g. `customerAccount.billingInfo.email`
/// or `loginInformation[0].userName`.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    /// Dotted wire path of the field, with `[index]` for array elements.
    public var field: String
    /// Plain-English reason that names the value and what to send instead.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// The error as `field: message`.
    public var description: String { "\(field): \(message)" }
}

/// Joins a field path prefix and a member name with a dot, leaving out the dot when the prefix is empty.
func fieldPath(_ prefix: String, _ name: String) -> String {
    prefix.isEmpty ? name : prefix + "." + name
}

/// Quotes a value for an error message, cut to 64 characters so a hostile value cannot
/// bloat the response.
func quoted(_ value: String) -> String {
    let maxCharacters = 64
    if value.count > maxCharacters {
        return "\"" + value.prefix(maxCharacters) + "…\""
    }
    return "\"" + value + "\""
}
