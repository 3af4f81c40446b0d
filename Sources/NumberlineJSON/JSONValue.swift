/// A parsed JSON value; numbers keep their source lexeme so that no digits are lost.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written, e.g. `"-12.50e3"`; read it with ``int64`` or ``double``.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    // MARK: - Accessors

    /// The number as an `Int64`, or `nil` when the value is not a number, has a fraction or
    /// exponent, or is out of range.
    public var int64: Int64? {
        guard case .number(let lexeme) = self else { return nil }
        return Int64(lexeme)
    }

    /// The number as the nearest `Double`, or `nil` when the value is not a number.
    public var double: Double? {
        guard case .number(let lexeme) = self else { return nil }
        return Double(lexeme)
    }

    /// The string payload, or `nil` for any other kind of value.
    public var string: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// The Boolean payload, or `nil` for any other kind of value.
    public var bool: Bool? {
        guard case .bool(let flag) = self else { return nil }
        return flag
    }

    /// The elements of an array, or `nil` for any other kind of value.
    public var array: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The members of an object, or `nil` for any other kind of value.
    public var object: JSONObject? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// Whether the value is JSON `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type name used in error messages (`"string"`, `"object"`, …).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON object's members in source order; keys are unique when it comes from ``JSONParser``.
public struct JSONObject: Sendable, Equatable {
    /// One member of an object.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in source order.
    public var members: [Member]

    public init(_ members: [Member] = []) {
        self.members = members
    }

    /// Creates an object from key/value pairs in the given order.
    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        self.members = pairs.map { Member(key: $0.key, value: $0.value) }
    }

    /// The keys in source order.
    public var keys: [String] { members.map(\.key) }

    /// The number of members.
    public var count: Int { members.count }

    /// The value stored under `key`, or `nil` when the key is absent.
    ///
    /// Lookup is a linear scan, which beats hashing for the small objects an API receives.
    /// Setting a value replaces the first member with that key, or appends a new one.
    public subscript(key: String) -> JSONValue? {
        get {
            for member in members where member.key == key {
                return member.value
            }
            return nil
        }
        set {
            let index = members.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let index?, let value?):
                members[index].value = value
            case (let index?, nil):
                members.remove(at: index)
            case (nil, let value?):
                members.append(Member(key: key, value: value))
            case (nil, nil):
                break
            }
        }
    }
}
