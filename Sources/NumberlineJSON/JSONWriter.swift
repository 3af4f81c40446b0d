/// A streaming JSON writer that emits members in call order into one growing byte buffer.
///
/// Commas and colons are inserted automatically. The writer does not check that calls nest
/// correctly: a `key(_:)` outside an object or a missing `endArray()` produces invalid JSON.
public struct JSONWriter: Sendable {
    /// The UTF-8 output written so far.
    public private(set) var bytes: [UInt8]
    /// Whether the next value or key needs a comma before it.
    private var needsComma = false

    /// Creates a writer whose buffer reserves `capacity` bytes up front.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Clears the output but keeps the buffer's capacity, so one writer can serve many responses.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    // MARK: - Containers

    /// Writes `{`.
    public mutating func beginObject() {
        writeCommaIfNeeded()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// Writes `}`.
    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Writes `[`.
    public mutating func beginArray() {
        writeCommaIfNeeded()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    /// Writes `]`.
    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes an object key written in the source and its colon; the next call writes the key's value.
    ///
    /// The key is copied as it is, without the escaping scan, so it must be a plain field
    /// name: no `"`, no backslash and no control characters. Use ``dynamicKey(_:)`` for keys that
    /// come from data.
    public mutating func key(_ name: StaticString) {
        writeCommaIfNeeded()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Writes an object key from data, escaped per RFC 8259, and its colon.
    public mutating func dynamicKey(_ name: String) {
        writeCommaIfNeeded()
        writeQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: - Scalars

    /// Writes a string value, escaped per RFC 8259.
    public mutating func string(_ value: String) {
        writeCommaIfNeeded()
        writeQuoted(value)
        needsComma = true
    }

    /// Writes a string value, or `null` when `value` is `nil`.
    public mutating func optionalString(_ value: String?) {
        if let value {
            string(value)
        } else {
            null()
        }
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        writeCommaIfNeeded()
        if value {
            bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        } else {
            bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        }
        needsComma = true
    }

    /// Writes an integer in decimal without allocating a string.
    public mutating func int(_ value: Int64) {
        writeCommaIfNeeded()
        writeDecimal(value)
        needsComma = true
    }

    /// Writes an integer in decimal without allocating a string.
    public mutating func int(_ value: Int) {
        int(Int64(value))
    }

    /// Writes `null`.
    public mutating func null() {
        writeCommaIfNeeded()
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        needsComma = true
    }

    /// Writes one value that is already encoded, such as JSON text read back from storage.
    /// The caller guarantees that `encoded` is one valid JSON value.
    public mutating func raw(_ encoded: some Sequence<UInt8>) {
        writeCommaIfNeeded()
        bytes.append(contentsOf: encoded)
        needsComma = true
    }

    /// Writes a whole parsed value; numbers are copied as their original lexeme.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null:
            null()
        case .bool(let flag):
            bool(flag)
        case .number(let lexeme):
            writeCommaIfNeeded()
            bytes.append(contentsOf: lexeme.utf8)
            needsComma = true
        case .string(let text):
            string(text)
        case .array(let elements):
            beginArray()
            for element in elements {
                self.value(element)
            }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                dynamicKey(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    /// Returns the compact UTF-8 encoding of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.value(value)
        return writer.bytes
    }

    // MARK: - Encoding

    private mutating func writeCommaIfNeeded() {
        if needsComma {
            bytes.append(UInt8(ascii: ","))
        }
    }

    /// Appends `text` in quotes, copying runs of bytes that need no escape in one step.
    private mutating func writeQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for position in 0..<utf8.count {
                let byte = utf8[position]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
                appendEscape(for: byte)
                runStart = position + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscape(for byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            hexDigits.withUTF8Buffer { digits in
                bytes.append(contentsOf: [
                    UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    digits[Int(byte >> 4)], digits[Int(byte & 0x0F)],
                ])
            }
        }
    }

    private mutating func writeDecimal(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        // The magnitude is unsigned so that Int64.min does not overflow when negated.
        var magnitude = value.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { storage in
            repeat {
                storage[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: storage[(20 - count)...]))
        }
    }
}
