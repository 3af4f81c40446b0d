import NumberlineJSON

/// A parsed OpenAPI document that remembers the JSON Pointer of each value it hands out,
/// so that objects can be listed in document order and `$ref`s can be followed.
struct DocsDocument {
    /// A value of the document together with its JSON Pointer.
    struct Node {
        let value: Any
        let pointer: String

        var object: [String: Any]? { value as? [String: Any] }
        var string: String? { value as? String }
    }

    let root: Node
    private let keyOrder: JSONKeyOrder

    /// Parses `bytes` with the server's own JSON parser. Fails with a message when they are not a JSON object.
    ///
    /// Objects become `[String: Any]`, arrays `[Any]`, numbers `Int` when they are integers
    /// and `Double` otherwise, and `null` becomes ``DocsNull``. The order of each object's keys
    /// is kept on the side, by JSON Pointer.
    static func parse(_ bytes: [UInt8]) -> Result<DocsDocument, DocsParseError> {
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(bytes, maxDepth: maxDepth, maxLength: max(bytes.count, 1))
        } catch {
            return .failure(DocsParseError(message: "The document is not valid JSON: \(error.description)."))
        }

        guard case .object = parsed else {
            return .failure(DocsParseError(message: "The document is valid JSON but its top level is not an object."))
        }
        var keyOrder = JSONKeyOrder()
        let root = plainValue(parsed, pointer: "", keyOrder: &keyOrder)
        return .success(DocsDocument(root: Node(value: root, pointer: ""), keyOrder: keyOrder))
    }

    /// The deepest nesting of arrays and objects the document may have.
    private static let maxDepth = 128

    /// Turns a parsed value into the plain Swift values that ``Node`` holds, recording the key order of each object.
    private static func plainValue(_ value: JSONValue, pointer: String, keyOrder: inout JSONKeyOrder) -> Any {
        switch value {
        case .null:
            return DocsNull()
        case .bool(let flag):
            return flag
        case .number(let lexeme):
            if let integer = Int(lexeme) {
                return integer
            }
            return Double(lexeme) ?? 0
        case .string(let text):
            return text
        case .array(let elements):
            return elements.enumerated().map { index, element in
                plainValue(element, pointer: JSONKeyOrder.appending(String(index), to: pointer), keyOrder: &keyOrder)
            }
        case .object(let object):
            keyOrder.record(object.keys, at: pointer)
            var members: [String: Any] = [:]
            for member in object.members {
                members[member.key] = plainValue(
                    member.value, pointer: JSONKeyOrder.appending(member.key, to: pointer), keyOrder: &keyOrder)
            }
            return members
        }
    }

    // MARK: - Navigation

    /// Returns the member `key` of an object node, or `nil` when the node is no object or lacks the key.
    func child(_ node: Node, _ key: String) -> Node? {
        guard let value = node.object?[key] else {
            return nil
        }
        return Node(value: value, pointer: JSONKeyOrder.appending(key, to: node.pointer))
    }

    /// Follows a path of member names from `node`.
    func child(_ node: Node, _ keys: String...) -> Node? {
        var current: Node? = node
        for key in keys {
            current = current.flatMap { child($0, key) }
        }
        return current
    }

    /// Returns the members of an object node in document order.
    func members(_ node: Node) -> [(key: String, node: Node)] {
        guard let object = node.object else {
            return []
        }
        return keyOrder.orderedKeys(of: object, at: node.pointer).compactMap { key in
            child(node, key).map { (key: key, node: $0) }
        }
    }

    /// Returns the elements of an array node.
    func elements(_ node: Node) -> [Node] {
        guard let array = node.value as? [Any] else {
            return []
        }
        return array.enumerated().map { index, value in
            Node(value: value, pointer: JSONKeyOrder.appending(String(index), to: node.pointer))
        }
    }

    // MARK: - References

    /// Follows `$ref` until a node without one, and returns it with the last component name followed, such as `Account`.
    ///
    /// Only local references (`#/…`) resolve. An unresolvable or cyclic reference returns the node that holds it.
    func resolve(_ node: Node) -> (node: Node, name: String?) {
        var current = node
        var name: String?

        // A chain longer than this is a cycle of references to references.
        for _ in 0..<16 {
            guard let reference = current.object?["$ref"] as? String,
                reference.hasPrefix("#"),
                let target = lookUp(pointer: String(reference.dropFirst()))
            else {
                return (current, name)
            }
            name = reference.split(separator: "/").last.map(String.init)
            current = target
        }
        return (current, name)
    }

    private func lookUp(pointer: String) -> Node? {
        var current: Node? = root
        for token in pointer.split(separator: "/", omittingEmptySubsequences: true) {
            let key = JSONKeyOrder.unescape(String(token))
            if let node = current, node.value is [Any], let index = Int(key) {
                current = elements(node).indices.contains(index) ? elements(node)[index] : nil
            } else {
                current = current.flatMap { child($0, key) }
            }
        }
        return current
    }

    // MARK: - JSON text

    /// Renders a value as indented JSON text with object members in document order.
    func jsonText(_ node: Node, indent: String = "") -> String {
        let inner = indent + "  "

        if node.object != nil {
            let members = members(node)
            if members.isEmpty {
                return "{}"
            }
            let lines = members.map { inner + Self.scalarText($0.key) + ": " + jsonText($0.node, indent: inner) }
            return "{\n" + lines.joined(separator: ",\n") + "\n" + indent + "}"
        }

        if node.value is [Any] {
            let items = elements(node)
            if items.isEmpty {
                return "[]"
            }
            let lines = items.map { inner + jsonText($0, indent: inner) }
            return "[\n" + lines.joined(separator: ",\n") + "\n" + indent + "]"
        }

        return Self.scalarText(node.value)
    }

    /// Renders a string, number, Boolean or null as JSON text; arrays and objects render compactly.
    static func scalarText(_ value: Any) -> String {
        String(decoding: JSONWriter.encode(jsonValue(value)), as: UTF8.self)
    }

    /// Turns a plain value of a ``Node`` back into a `JSONValue`. Object keys come out sorted,
    /// because a plain dictionary has no order.
    private static func jsonValue(_ value: Any) -> JSONValue {
        switch value {
        case let text as String:
            return .string(text)
        case let flag as Bool:
            return .bool(flag)
        case let integer as Int:
            return .number(String(integer))
        case let number as Double:
            return .number(String(number))
        case let elements as [Any]:
            return .array(elements.map(jsonValue))
        case let object as [String: Any]:
            return .object(JSONObject(object.keys.sorted().map { JSONObject.Member(key: $0, value: jsonValue(object[$0] as Any)) }))
        default:
            return .null
        }
    }
}

/// The value of a JSON `null` in a parsed document.
struct DocsNull {}

/// A failure to read the OpenAPI document, with a message for the error page.
struct DocsParseError: Error {
    let message: String
}
