/// Decoding of `application/x-www-form-urlencoded` data and percent-encoded path segments.
public enum URLEncoding {
    /// Decodes `%XX` escapes (and `+` as a space when `plusIsSpace`); returns nil for a
    /// malformed escape or bytes that are not UTF-8.
    public static func percentDecode<Bytes: Collection<UInt8>>(_ bytes: Bytes, plusIsSpace: Bool) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let high = bytes.index(after: index)
                guard high != bytes.endIndex else { return nil }
                let low = bytes.index(after: high)
                guard low != bytes.endIndex, let upper = hexValue(bytes[high]), let lower = hexValue(bytes[low]) else {
                    return nil
                }
                output.append(upper << 4 | lower)
                index = bytes.index(after: low)
                continue
            }
            output.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = bytes.index(after: index)
        }
        return String(validating: output, as: UTF8.self)
    }

    /// Splits form data into name/value pairs in order; returns nil when any part is malformed.
    public static func decodeForm<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [(name: String, value: String)]?
    where Bytes.SubSequence: Collection<UInt8> {
        var pairs: [(name: String, value: String)] = []
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let pieces = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(pieces[0], plusIsSpace: true) else { return nil }
            let value = pieces.count > 1 ? percentDecode(pieces[1], plusIsSpace: true) : ""
            guard let value else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
