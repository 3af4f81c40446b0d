import Foundation

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

    /// Parses `bytes` with `JSONSerialization`. Fails with a message when they are not a JSON object.
    static func parse(_ bytes: [UInt8]) -> Result<DocsDocument, DocsParseError> {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            return .failure(DocsParseError(message: "The document is not valid JSON: \(error.localizedDescription)"))
        }

        guard parsed is [String: Any] else {
            return .failure(DocsParseError(message: "The document is valid JSON but its top level is not an object."))
        }
        return .success(DocsDocument(root: Node(value: parsed, pointer: ""), keyOrder: JSONKeyOrder(scanning: bytes)))
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
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
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

    /// Renders a string, number, Boolean or null as JSON text.
    static func scalarText(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .withoutEscapingSlashes]),
            let text = String(data: data, encoding: .utf8)
        else {
            return String(describing: value)
        }
        return text
    }
}

/// A failure to read the OpenAPI document, with a message for the error page.
struct DocsParseError: Error {
    let message: String
}
