import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineNumbers
import NumberlineStore

#if canImport(Glibc)
    import Glibc
#endif

// The audit trail (an addition to the reference): every successful mutation, newest first,
// limited to the records filed inside the caller's subtree. A record is filed under the
// closest account whose subtree contains every object it changed. So a reseller sees its own
// records and those of its customers, and a customer sees the changes to its own objects,
// including those its reseller made.
extension Application {
    func registerAudit(_ router: inout Router) {
        router.add(.get, "/v1/audit", authenticated(listAudit))
    }

    private func listAudit(_ context: RequestContext) async throws -> HTTPResponse {
        let parameters = try rejectQueryParameters(
            context.request, allowed: ["from", "to", "telephoneNumber", "accountId", "route", "limit", "cursor"])
        var limit = Application.defaultPageSize
        if let text = parameters["limit"] {
            guard text.utf8.count <= 4, let number = Int(text), (1...Application.maxPageSize).contains(number) else {
                throw APIError.badRequest("limit \"\(text.prefix(40))\" must be a whole number from 1 to \(Application.maxPageSize).")
            }
            limit = number
        }
        var query = AuditQuery(instanceID: context.instance.id, scopePath: context.caller.scopePath, limit: limit + 1)
        if let cursor = parameters["cursor"] {
            guard let id = AuditWire.recordID(fromCursor: cursor) else {
                throw APIError.badRequest("cursor \"\(cursor.prefix(40))\" is not a cursor from nextCursor; send it back unchanged.")
            }
            query.beforeID = id
        }
        query.from = try parameters["from"].map { try timeValue($0, name: "from") }
        query.to = try parameters["to"].map { try timeValue($0, name: "to") }
        if let from = query.from, let to = query.to, from > to {
            throw APIError.badRequest("from (\(parameters["from"] ?? "")) is later than to (\(parameters["to"] ?? "")); swap them.")
        }
        if let text = parameters["telephoneNumber"] {
            guard (1...TelephoneNumbers.maxE164Digits).contains(text.utf8.count), text.utf8.allSatisfy(FieldRules.isDigit) else {
                throw APIError.badRequest(
                    "telephoneNumber \"\(text.prefix(40))\" must be the E.164 digits of a number without +, such as 19195550100.")
            }
            query.telephoneNumber = text
        }
        query.accountID = try parameters["accountId"].map { try idValue($0, name: "accountId") }
        if let route = parameters["route"] {
            guard route.hasPrefix("/v1/"), route.utf8.count <= 200 else {
                throw APIError.badRequest(
                    "route \"\(route.prefix(40))\" is not a route pattern; give one as documented, such as /v1/accounts/{accountId}.")
            }
            query.route = route
        }

        let records = try await store.auditRecords(query)
        let page = records.prefix(limit)
        let nextCursor = records.count > limit ? page.last.map { AuditWire.cursor(before: $0.id) } : nil
        return .json(200, AuditWire.writePage(page, instanceName: context.instance.name, nextCursor: nextCursor))
    }

    /// Parses an RFC 3339 date-time such as `2026-01-31T09:30:00Z` (fractions of a second and
    /// `+hh:mm` offsets allowed) or a date such as `2026-01-31` (midnight UTC) to Unix milliseconds.
    func timeValue(_ text: String, name: String) throws -> Int64 {
        guard let milliseconds = AuditWire.milliseconds(fromISO8601: text) else {
            throw APIError.badRequest(
                "\(name) \"\(text.prefix(40))\" is not an ISO 8601 time; use a UTC time such as 2026-01-31T09:30:00Z or a date such as 2026-01-31."
            )
        }
        return milliseconds
    }
}

/// The wire form of audit records and their cursors.
enum AuditWire {
    /// Writes `{"records": […], "nextCursor": …}`.
    static func writePage(_ records: ArraySlice<AuditRecord>, instanceName: String, nextCursor: String?) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + records.reduce(0) { $0 + $1.changes.utf8.count + 320 })
        writer.beginObject()
        writer.key("records")
        writer.beginArray()
        for record in records {
            write(record, instanceName: instanceName, into: &writer)
        }
        writer.endArray()
        writer.key("nextCursor")
        writer.optionalString(nextCursor)
        writer.endObject()
        return writer.bytes
    }

    static func write(_ record: AuditRecord, instanceName: String, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("auditId")
        writer.string(String(record.id))
        writer.key("time")
        writer.string(iso8601(milliseconds: record.time))
        writer.key("instance")
        writer.string(instanceName)
        writer.key("loginId")
        writer.optionalString(record.loginID.map { String($0) })
        writer.key("username")
        writer.optionalString(record.username)
        writer.key("accountId")
        writer.optionalString(record.accountID.map { String($0) })
        writer.key("requestId")
        writer.optionalString(record.requestID)
        writer.key("method")
        writer.optionalString(record.method)
        writer.key("route")
        writer.optionalString(record.route)
        writer.key("changes")
        writer.raw(record.changes.utf8)
        writer.key("summary")
        if let summary = record.summary {
            writer.raw(summary.utf8)
        } else {
            writer.null()
        }
        writer.endObject()
    }

    // MARK: - Cursors

    /// Encodes the id of the last record of a page as an opaque cursor: hex of `"a1:" + id`.
    static func cursor(before id: Int64) -> String {
        Crypto.hex(Array("a1:\(id)".utf8))
    }

    /// Decodes a cursor from `cursor(before:)`; nil when it is not one.
    static func recordID(fromCursor cursor: String) -> Int64? {
        let hex = Array(cursor.utf8)
        guard hex.count.isMultiple(of: 2), hex.count <= 64 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < hex.count {
            guard let high = hexValue(hex[index]), let low = hexValue(hex[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasPrefix("a1:") else { return nil }
        let digits = text.dropFirst(3)
        guard (1...18).contains(digits.utf8.count), digits.utf8.allSatisfy(FieldRules.isDigit) else { return nil }
        return Int64(digits)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    // MARK: - Time

    /// Renders Unix milliseconds as `2026-01-31T09:30:00.123Z`.
    static func iso8601(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let date = "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))"
        let time = "\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2))"
        return "\(date)T\(time).\(padded(Int32(milliseconds % 1000), 3))Z"
    }

    /// Parses `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)` to Unix milliseconds.
    static func milliseconds(fromISO8601 text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard FieldRules.isDigit(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int, is character: Character) -> Bool {
            index < bytes.count && bytes[index] == character.asciiValue
        }

        guard let year = number(0..<4), byte(4, is: "-"), let month = number(5..<7), byte(7, is: "-"), let day = number(8..<10),
            (1...12).contains(month), (1...31).contains(day)
        else {
            return nil
        }
        var hour = 0
        var minute = 0
        var second = 0
        var fraction = 0
        var offsetMinutes = 0
        if bytes.count > 10 {
            guard byte(10, is: "T") || byte(10, is: "t"), let h = number(11..<13), byte(13, is: ":"), let m = number(14..<16),
                byte(16, is: ":"), let s = number(17..<19), h < 24, m < 60, s < 61
            else {
                return nil
            }
            (hour, minute, second) = (h, m, s)
            var index = 19
            if byte(index, is: ".") {
                index += 1
                var scale = 100
                let start = index
                while index < bytes.count, FieldRules.isDigit(bytes[index]) {
                    fraction += Int(bytes[index] - UInt8(ascii: "0")) * scale
                    scale /= 10
                    index += 1
                }
                guard index > start, index - start <= 9 else { return nil }
            }
            if byte(index, is: "Z") || byte(index, is: "z") {
                index += 1
            } else if byte(index, is: "+") || byte(index, is: "-") {
                guard let offsetHours = number(index + 1..<index + 3), byte(index + 3, is: ":"),
                    let offsetMinutesPart = number(index + 4..<index + 6), offsetHours < 24, offsetMinutesPart < 60
                else {
                    return nil
                }
                offsetMinutes = (offsetHours * 60 + offsetMinutesPart) * (byte(index, is: "-") ? -1 : 1)
                index += 6
            } else {
                return nil
            }
            guard index == bytes.count else { return nil }
        }

        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = Int64(timegm(&parts))
        // timegm normalizes 2026-02-31 to March 3rd; a date that moved was not a real date.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        return (seconds - Int64(offsetMinutes) * 60) * 1000 + Int64(fraction)
    }
}
