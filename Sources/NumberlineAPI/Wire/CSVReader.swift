/// A reader for comma-separated values as RFC 4180 describes them: fields separated by
/// commas, optionally enclosed in double quotes (`""` inside quotes is one quote), and lines
/// ended by CRLF or LF. Empty lines are skipped and a leading UTF-8 byte order mark is ignored.
enum CSVReader {
    /// A syntax error, with the 1-based line it was found on.
    struct SyntaxError: Error {
        var line: Int
        var message: String
    }

    /// One record with the line it starts on.
    struct Record {
        var line: Int
        var fields: [String]
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let lineFeed = UInt8(ascii: "\n")

    /// Splits `bytes` into records. Invalid UTF-8 becomes U+FFFD, which later checks reject.
    static func records(_ bytes: [UInt8]) throws(SyntaxError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var isQuoted = false
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            isQuoted = false
        }
        func endRecord() {
            // A line with no bytes at all is skipped; a line holding only "" is one empty field.
            if fields.isEmpty && field.isEmpty && !isQuoted {
                return
            }
            endField()
            records.append(Record(line: recordLine, fields: fields))
            fields = []
        }

        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                if byte == quote {
                    if index < bytes.count && bytes[index] == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == lineFeed {
                        line += 1
                    }
                    field.append(byte)
                }
                continue
            }

            switch byte {
            case quote:
                guard field.isEmpty && !isQuoted else {
                    throw SyntaxError(
                        line: line,
                        message: "a double quote appears inside an unquoted field; enclose the whole field in quotes and double the quote")
                }
                inQuotes = true
                isQuoted = true
            case comma:
                endField()
            case carriageReturn, lineFeed:
                if byte == carriageReturn && index < bytes.count && bytes[index] == lineFeed {
                    index += 1
                }
                endRecord()
                line += 1
                recordLine = line
            default:
                guard !isQuoted else {
                    throw SyntaxError(line: line, message: "text follows the closing quote of a field; put a comma after the quote")
                }
                field.append(byte)
            }
        }
        guard !inQuotes else {
            throw SyntaxError(line: recordLine, message: "a quoted field is not closed before the end of the body")
        }
        endRecord()
        return records
    }
}
