import NumberlineCore
import NumberlineJSON

/// Reads fields out of decoded JSON and collects type errors under wire paths instead of
/// stopping at the first one, so one answer lists every problem in a body.
struct WireReader {
    var errors: [FieldError] = []

    /// Joins a path prefix and a member name.
    static func path(_ prefix: String, _ name: String) -> String {
        prefix.isEmpty ? name : prefix + "." + name
    }

    /// Returns the object, or records an error when the value is not one.
    mutating func object(_ value: JSONValue, at path: String) -> JSONObject? {
        guard case .object(let object) = value else {
            errors.append(FieldError(field: path, message: "\(path) must be an object, not \(value.typeName)"))
            return nil
        }
        return object
    }

    /// Records an error for each member not in `allowed`.
    mutating func rejectUnknownKeys(_ object: JSONObject, allowed: Set<String>, at path: String) {
        for key in object.keys where !allowed.contains(key) {
            let field = WireReader.path(path, key)
            errors.append(FieldError(field: field, message: "\(field.prefix(120)) is not a known field; remove it or check its spelling"))
        }
    }

    /// Reads an optional string member: `.none` when absent, `.some(nil)` for null or `""`.
    mutating func string(_ object: JSONObject, _ key: String, at prefix: String) -> String?? {
        guard let value = object[key] else { return .none }
        switch value {
        case .null:
            return .some(nil)
        case .string(let text):
            return .some(text.isEmpty ? nil : text)
        default:
            let field = WireReader.path(prefix, key)
            errors.append(FieldError(field: field, message: "\(field) must be a string or null, not \(value.typeName)"))
            return .none
        }
    }

    /// Reads an optional boolean member.
    mutating func bool(_ object: JSONObject, _ key: String, at prefix: String) -> Bool? {
        guard let value = object[key] else { return nil }
        guard case .bool(let flag) = value else {
            let field = WireReader.path(prefix, key)
            errors.append(FieldError(field: field, message: "\(field) must be true or false, not \(value.typeName)"))
            return nil
        }
        return flag
    }

    /// Reads an optional array member; null counts as an empty array.
    mutating func array(_ object: JSONObject, _ key: String, at prefix: String) -> [JSONValue]? {
        guard let value = object[key] else { return nil }
        switch value {
        case .null:
            return []
        case .array(let items):
            return items
        default:
            let field = WireReader.path(prefix, key)
            errors.append(FieldError(field: field, message: "\(field) must be an array, not \(value.typeName)"))
            return nil
        }
    }

    /// Reads an optional nested object member; `.some(nil)` for null.
    mutating func nestedObject(_ object: JSONObject, _ key: String, at prefix: String) -> JSONObject?? {
        guard let value = object[key] else { return .none }
        if case .null = value { return .some(nil) }
        guard let nested = self.object(value, at: WireReader.path(prefix, key)) else { return .none }
        return .some(nested)
    }
}

/// Sets `target` when the member was present.
func assign(_ target: inout String?, _ value: String??) {
    if case .some(let newValue) = value {
        target = newValue
    }
}
