import Foundation

/// The order of the keys of every object in a JSON text, by JSON Pointer (RFC 6901).
///
/// `JSONSerialization` returns dictionaries, which lose the order of the document.
/// The docs page lists paths, fields and examples in the order the authors wrote them,
/// so this scan records the order separately.
struct JSONKeyOrder {
    private var keysByPointer: [String: [String]] = [:]

    /// Scans `bytes`, which should already be valid JSON. For invalid JSON the result is incomplete but the scan still ends.
    init(scanning bytes: [UInt8]) {
        var stack: [Frame] = []
        var index = 0

        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let end = Self.endOfString(in: bytes, openingQuote: index)
                if case .object(let pointer, true, _) = stack.last {
                    let key = Self.decodeString(bytes[index...min(end, bytes.count - 1)])
                    keysByPointer[pointer, default: []].append(key)
                    stack[stack.count - 1] = .object(pointer: pointer, expectingKey: false, currentKey: key)
                }
                index = end + 1
                continue

            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let pointer = Self.childPointer(of: stack.last)
                if byte == UInt8(ascii: "{") {
                    keysByPointer[pointer] = keysByPointer[pointer] ?? []
                    stack.append(.object(pointer: pointer, expectingKey: true, currentKey: nil))
                } else {
                    stack.append(.array(pointer: pointer, index: 0))
                }

            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = stack.popLast()

            case UInt8(ascii: ","):
                switch stack.last {
                case .object(let pointer, _, let key):
                    stack[stack.count - 1] = .object(pointer: pointer, expectingKey: true, currentKey: key)
                case .array(let pointer, let position):
                    stack[stack.count - 1] = .array(pointer: pointer, index: position + 1)
                case nil:
                    break
                }

            default:
                // Whitespace, colons, numbers, true, false and null carry no keys.
                break
            }
            index += 1
        }
    }

    /// Returns the keys of `object` in document order. Keys the scan did not see come last, sorted.
    func orderedKeys(of object: [String: Any], at pointer: String) -> [String] {
        let known = (keysByPointer[pointer] ?? []).filter { object[$0] != nil }
        let knownSet = Set(known)
        let unknown = object.keys.filter { !knownSet.contains($0) }.sorted()
        return known + unknown
    }

    /// Appends one reference token to a JSON Pointer, escaping `~` and `/`.
    static func appending(_ token: String, to pointer: String) -> String {
        let escaped = token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        return pointer + "/" + escaped
    }

    // MARK: - Scanning

    private enum Frame {
        case object(pointer: String, expectingKey: Bool, currentKey: String?)
        case array(pointer: String, index: Int)
    }

    private static func childPointer(of parent: Frame?) -> String {
        switch parent {
        case nil:
            return ""
        case .object(let pointer, _, let key):
            return appending(key ?? "", to: pointer)
        case .array(let pointer, let index):
            return appending(String(index), to: pointer)
        }
    }

    /// Returns the index of the closing quote of the string that opens at `openingQuote`.
    private static func endOfString(in bytes: [UInt8], openingQuote: Int) -> Int {
        var index = openingQuote + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"):
                index += 2
            case UInt8(ascii: "\""):
                return index
            default:
                index += 1
            }
        }
        return bytes.count
    }

    /// Decodes a quoted JSON string, escapes included, with `JSONSerialization` itself.
    private static func decodeString(_ quoted: ArraySlice<UInt8>) -> String {
        let value = try? JSONSerialization.jsonObject(with: Data(quoted), options: [.fragmentsAllowed])
        return value as? String ?? ""
    }
}
