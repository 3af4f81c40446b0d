/// The recursive-descent reader behind ``JSONParser``, which walks a borrowed byte buffer once.
///
/// Recursion depth is bounded by `maxDepth`, so a hostile document cannot exhaust the stack.
struct JSONReader {
    private let buffer: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var index = 0
    private var depth = 0
    /// Reused for strings that contain escapes, so most strings cost one allocation.
    private var scratch: [UInt8] = []

    init(buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.buffer = buffer
        self.maxDepth = maxDepth
    }

    mutating func readDocument() throws(JSONError) -> JSONValue {
        skipWhitespace()
        let value = try readValue()
        skipWhitespace()
        if index < buffer.count {
            throw error("unexpected \(describe(buffer[index])) after the end of the document")
        }
        return value
    }

    // MARK: - Values

    private mutating func readValue() throws(JSONError) -> JSONValue {
        guard index < buffer.count else {
            throw error("unexpected end of input; expected a value")
        }
        switch buffer[index] {
        case UInt8(ascii: "{"):
            return .object(try readObject())
        case UInt8(ascii: "["):
            return .array(try readArray())
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try readNumber())
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try readLiteral("null")
            return .null
        case let byte:
            throw error("unexpected \(describe(byte)); expected a value")
        }
    }

    private mutating func readLiteral(_ literal: StaticString) throws(JSONError) {
        let start = index
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected in
            guard buffer.count - start >= count else { return false }
            for offset in 0..<count where buffer[start + offset] != expected[offset] {
                return false
            }
            return true
        }
        guard matches else {
            throw error("invalid literal; expected \(literal)")
        }
        index += count
    }

    private mutating func enterContainer() throws(JSONError) {
        depth += 1
        if depth > maxDepth {
            throw error("nesting is deeper than the limit of \(maxDepth) levels")
        }
    }

    private mutating func readArray() throws(JSONError) -> [JSONValue] {
        try enterContainer()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < buffer.count, buffer[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return elements
        }
        while true {
            skipWhitespace()
            if index < buffer.count, buffer[index] == UInt8(ascii: "]") {
                throw error("trailing comma before \"]\"")
            }
            elements.append(try readValue())
            skipWhitespace()
            guard index < buffer.count else {
                throw error("unexpected end of input; expected \",\" or \"]\"")
            }
            switch buffer[index] {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return elements
            case let byte:
                throw error("unexpected \(describe(byte)); expected \",\" or \"]\"")
            }
        }
    }

    private mutating func readObject() throws(JSONError) -> JSONObject {
        try enterContainer()
        index += 1
        var members: [JSONObject.Member] = []
        // Small objects find duplicate keys by scanning the members, and larger ones switch to a set.
        var seenKeys: Set<String> = []
        skipWhitespace()
        if index < buffer.count, buffer[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return JSONObject(members)
        }
        while true {
            skipWhitespace()
            guard index < buffer.count else {
                throw error("unexpected end of input; expected a string key")
            }
            if buffer[index] == UInt8(ascii: "}") {
                throw error("trailing comma before \"}\"")
            }
            guard buffer[index] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describe(buffer[index])); expected a string key")
            }
            let keyOffset = index
            let key = try readString()
            if isDuplicate(key, in: members, seenKeys: &seenKeys) {
                throw JSONError(message: "duplicate key \(quoteForMessage(key))", offset: keyOffset)
            }

            skipWhitespace()
            guard index < buffer.count, buffer[index] == UInt8(ascii: ":") else {
                if index < buffer.count {
                    throw error("unexpected \(describe(buffer[index])); expected \":\" after the key")
                }
                throw error("unexpected end of input; expected \":\" after the key")
            }
            index += 1
            skipWhitespace()
            members.append(JSONObject.Member(key: key, value: try readValue()))

            skipWhitespace()
            guard index < buffer.count else {
                throw error("unexpected end of input; expected \",\" or \"}\"")
            }
            switch buffer[index] {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return JSONObject(members)
            case let byte:
                throw error("unexpected \(describe(byte)); expected \",\" or \"}\"")
            }
        }
    }

    private func isDuplicate(_ key: String, in members: [JSONObject.Member], seenKeys: inout Set<String>) -> Bool {
        let scanLimit = 16
        if members.count < scanLimit {
            return members.contains { $0.key == key }
        }
        if seenKeys.isEmpty {
            seenKeys = Set(members.map(\.key))
        }
        return !seenKeys.insert(key).inserted
    }

    // MARK: - Numbers

    private mutating func readNumber() throws(JSONError) -> String {
        let start = index
        if buffer[index] == UInt8(ascii: "-") {
            index += 1
        }
        guard index < buffer.count, isDigit(buffer[index]) else {
            throw error("invalid number; expected a digit")
        }
        if buffer[index] == UInt8(ascii: "0") {
            index += 1
            if index < buffer.count, isDigit(buffer[index]) {
                throw error("invalid number; leading zeros are not allowed")
            }
        } else {
            skipDigits()
        }
        if index < buffer.count, buffer[index] == UInt8(ascii: ".") {
            index += 1
            guard index < buffer.count, isDigit(buffer[index]) else {
                throw error("invalid number; expected a digit after the decimal point")
            }
            skipDigits()
        }
        if index < buffer.count, buffer[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < buffer.count, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < buffer.count, isDigit(buffer[index]) else {
                throw error("invalid number; expected a digit in the exponent")
            }
            skipDigits()
        }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self)
    }

    private mutating func skipDigits() {
        while index < buffer.count, isDigit(buffer[index]) {
            index += 1
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    // MARK: - Strings

    /// Reads a string starting at its opening quote and leaves `index` after the closing one.
    private mutating func readString() throws(JSONError) -> String {
        index += 1
        let start = index

        // Fast path: printable ASCII without escapes is copied straight from the buffer.
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 {
                break
            }
            index += 1
        }

        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index]))
        while index < buffer.count {
            let byte = buffer[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try readEscape()
            case 0..<0x20:
                throw error("unescaped control character \(hex(byte)) in a string; write it as \\u00XX")
            case 0x80...:
                try copyMultibyteSequence()
            default:
                scratch.append(byte)
                index += 1
            }
        }
        throw error("unexpected end of input inside a string")
    }

    /// Copies one multi-byte UTF-8 sequence to `scratch`, rejecting the forms RFC 3629 forbids.
    private mutating func copyMultibyteSequence() throws(JSONError) {
        let lead = buffer[index]
        let length: Int
        // The allowed range of the second byte removes overlong forms (E0, F0), UTF-16
        // surrogates (ED) and code points above U+10FFFF (F4).
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF:
            length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xE1...0xEF:
            length = 3
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3:
            length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default:
            throw error("invalid UTF-8 lead byte \(hex(lead))")
        }

        guard buffer.count - index >= length else {
            throw error("truncated UTF-8 sequence")
        }
        guard secondRange.contains(buffer[index + 1]) else {
            throw JSONError(message: "invalid UTF-8 sequence starting with \(hex(lead))", offset: index)
        }
        for offset in 2..<length where buffer[index + offset] & 0xC0 != 0x80 {
            throw JSONError(message: "invalid UTF-8 sequence starting with \(hex(lead))", offset: index)
        }

        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<(index + length)]))
        index += length
    }

    /// Reads one escape starting at its backslash and appends the UTF-8 it stands for.
    private mutating func readEscape() throws(JSONError) {
        let escapeOffset = index
        index += 1
        guard index < buffer.count else {
            throw error("unexpected end of input inside an escape")
        }
        let code = buffer[index]
        index += 1
        switch code {
        case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            try readUnicodeEscape(escapeOffset: escapeOffset)
        default:
            throw JSONError(message: "invalid escape \\\(describeRaw(code))", offset: escapeOffset)
        }
    }

    /// Reads the four hex digits after `\u`, pairing a high surrogate with the low one that
    /// must follow it.
    private mutating func readUnicodeEscape(escapeOffset: Int) throws(JSONError) {
        let first = try readHexQuad()
        var scalarValue = UInt32(first)
        switch first {
        case 0xDC00...0xDFFF:
            throw JSONError(message: "lone low surrogate \\u\(hexQuad(first)) without a high surrogate before it", offset: escapeOffset)
        case 0xD800...0xDBFF:
            let hasLowEscape =
                buffer.count - index >= 2
                && buffer[index] == UInt8(ascii: "\\")
                && buffer[index + 1] == UInt8(ascii: "u")
            guard hasLowEscape else {
                throw JSONError(message: "lone high surrogate \\u\(hexQuad(first)) without a low surrogate after it", offset: escapeOffset)
            }
            index += 2
            let second = try readHexQuad()
            guard (0xDC00...0xDFFF).contains(second) else {
                throw JSONError(message: "lone high surrogate \\u\(hexQuad(first)) without a low surrogate after it", offset: escapeOffset)
            }
            scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
        default:
            break
        }
        // Surrogates were handled above, so every remaining value is a valid scalar.
        let scalar = Unicode.Scalar(scalarValue)!
        for unit in UTF8.encode(scalar)! {
            scratch.append(unit)
        }
    }

    private mutating func readHexQuad() throws(JSONError) -> UInt16 {
        guard buffer.count - index >= 4 else {
            throw error("unexpected end of input inside a \\u escape")
        }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = buffer[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit \(describe(byte)) in a \\u escape")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    // MARK: - Whitespace and messages

    private mutating func skipWhitespace() {
        while index < buffer.count {
            switch buffer[index] {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
            default:
                return
            }
        }
    }

    private func error(_ message: String) -> JSONError {
        JSONError(message: message, offset: index)
    }

    /// Names a byte for a message: printable ASCII in quotes, anything else in hex.
    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F {
            return "character \"\(describeRaw(byte))\""
        }
        return "byte \(hex(byte))"
    }

    private func describeRaw(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F {
            return String(UnicodeScalar(byte))
        }
        return hex(byte)
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0x0" + digits : "0x" + digits
    }

    private func hexQuad(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// Quotes a key for an error message, escaped as JSON and cut to 64 characters.
    private func quoteForMessage(_ key: String) -> String {
        let maxCharacters = 64
        let displayedKey = key.count > maxCharacters ? String(key.prefix(maxCharacters)) + "…" : key
        var writer = JSONWriter()
        writer.string(displayedKey)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
