/// The order of the keys of every object in a JSON document, by JSON Pointer (RFC 6901).
///
/// The docs page keeps objects as dictionaries, which have no order, but it lists paths,
/// fields and examples in the order the authors wrote them, so the order is kept here.
struct JSONKeyOrder {
    private var keysByPointer: [String: [String]] = [:]

    /// Records the keys of the object at `pointer`, in document order.
    mutating func record(_ keys: [String], at pointer: String) {
        keysByPointer[pointer] = keys
    }

    /// Returns the keys of `object` in document order. Keys not recorded come last, sorted.
    func orderedKeys(of object: [String: Any], at pointer: String) -> [String] {
        let known = (keysByPointer[pointer] ?? []).filter { object[$0] != nil }
        let knownSet = Set(known)
        let unknown = object.keys.filter { !knownSet.contains($0) }.sorted()
        return known + unknown
    }

    /// Appends one reference token to a JSON Pointer, escaping `~` as `~0` and `/` as `~1`.
    static func appending(_ token: String, to pointer: String) -> String {
        var escaped = pointer + "/"
        for character in token {
            switch character {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Decodes one reference token: `~1` becomes `/` and `~0` becomes `~`.
    static func unescape(_ token: String) -> String {
        var result = ""
        var pendingTilde = false
        for character in token {
            if pendingTilde {
                switch character {
                case "1": result += "/"
                case "0": result += "~"
                default: result += "~" + String(character)
                }
                pendingTilde = false
            } else if character == "~" {
                pendingTilde = true
            } else {
                result.append(character)
            }
        }
        return pendingTilde ? result + "~" : result
    }
}
