import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineNumbers

/// One number of an upload before parsing: the text as sent, its default region and attributes.
struct UploadRow: Sendable {
    var input: String
    /// ISO 3166-1 alpha-2 region for numbers written without a leading `+`.
    var region: String?
    var attributes: NumberAttributes
    /// A problem found while reading the row (a CSV field count or attribute), reported as `invalid`.
    var problem: String?
}

/// A decoded upload body, JSON or CSV.
struct UploadBody: Sendable {
    var rows: [UploadRow]
    var customerID: Int64?
    var resellerID: Int64?
}

/// Wire mapping of the Carriers and Numbers sections: request bodies in, numbers and bulk errors out.
enum NumberWire {
    /// The maximum numbers one bulk call may carry.
    static let maxNumbersPerCall = 1_000_000

    /// Attribute members shared by the JSON body and the CSV columns.
    static let attributeKeys = ["type", "subType", "orderType", "routeLabel"]

    // MARK: - Upload bodies

    /// Decodes a JSON upload body. Throws `APIError.badRequest` naming every invalid member.
    static func decodeUploadJSON(_ json: JSONValue) throws -> UploadBody {
        var reader = WireReader()
        guard let object = reader.object(json, at: "body") else {
            throw APIError.badRequest("The upload body must be a JSON object.", fields: reader.errors)
        }
        reader.rejectUnknownKeys(
            object, allowed: Set(["telephoneNumbers", "countryCode", "customerId", "resellerId"] + attributeKeys), at: "")
        let inputs = readNumberList(object, reader: &reader)
        let region = readRegion(object, reader: &reader)
        let attributes = readAttributes(object, reader: &reader)
        let customerID = readID(object, "customerId", reader: &reader)
        let resellerID = readID(object, "resellerId", reader: &reader)
        guard reader.errors.isEmpty else {
            throw APIError.badRequest("The upload body has invalid fields; see errors.", fields: reader.errors)
        }
        let rows = inputs.map { UploadRow(input: $0, region: region, attributes: attributes) }
        return UploadBody(rows: rows, customerID: customerID, resellerID: resellerID)
    }

    /// Decodes a CSV upload: a header row naming the columns, then one number per row.
    ///
    /// Known columns are `telephoneNumber` (required), `countryCode`, `type`, `subType`,
    /// `orderType` and `routeLabel`. A row with the wrong number of fields or an invalid
    /// attribute is kept with a `problem`, so that the response lists it with the others.
    static func decodeUploadCSV(_ bytes: [UInt8]) throws -> [UploadRow] {
        let records: [CSVReader.Record]
        do {
            records = try CSVReader.records(bytes)
        } catch {
            throw APIError.badRequest("The CSV body is malformed on line \(error.line): \(error.message).")
        }
        guard let header = records.first else {
            throw APIError.badRequest(
                "The CSV body is empty; send a header row such as telephoneNumber,countryCode and one number per row.")
        }

        let known = ["telephoneNumber", "countryCode"] + attributeKeys
        var columns: [String: Int] = [:]
        for (position, rawName) in header.fields.enumerated() {
            let name = String(rawName.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
            guard known.contains(name) else {
                throw APIError.badRequest(
                    "The CSV header names an unknown column \"\(name.prefix(40))\"; use \(known.joined(separator: ", ")).")
            }
            guard columns[name] == nil else {
                throw APIError.badRequest("The CSV header names the column \(name) twice; name it once.")
            }
            columns[name] = position
        }
        guard let numberColumn = columns["telephoneNumber"] else {
            throw APIError.badRequest("The CSV header has no telephoneNumber column; add it.")
        }
        guard records.count - 1 <= maxNumbersPerCall else {
            throw APIError.badRequest("The CSV body has \(records.count - 1) rows; send at most \(maxNumbersPerCall) per call.")
        }

        var rows: [UploadRow] = []
        rows.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            let fields = record.fields
            guard fields.count == header.fields.count else {
                rows.append(
                    UploadRow(
                        input: fields.indices.contains(numberColumn) ? fields[numberColumn] : fields.first ?? "",
                        region: nil, attributes: NumberAttributes(),
                        problem: "Line \(record.line) has \(fields.count) fields, but the header has \(header.fields.count)."))
                continue
            }
            func column(_ name: String) -> String? {
                guard let position = columns[name] else { return nil }
                let value = fields[position]
                return value.isEmpty ? nil : value
            }
            let attributes = NumberAttributes(
                type: column("type"), subType: column("subType"), orderType: column("orderType"), routeLabel: column("routeLabel"))
            var problem: String?
            for (name, value) in [
                ("type", attributes.type), ("subType", attributes.subType), ("orderType", attributes.orderType),
                ("routeLabel", attributes.routeLabel),
            ] {
                if let value, let error = FieldRules.validateFreeText(value, field: name).first {
                    problem = "Line \(record.line), \(name): \(error.message)."
                    break
                }
            }
            rows.append(UploadRow(input: fields[numberColumn], region: column("countryCode"), attributes: attributes, problem: problem))
        }
        return rows
    }

    /// Decodes `{"telephoneNumbers": […], "customerId"?}` for assign, release and delete.
    /// `customerId` is read, and required, only when `allowCustomer` is true.
    static func decodeNumberList(_ json: JSONValue, allowCustomer: Bool) throws -> (inputs: [String], region: String?, customerID: Int64?) {
        var reader = WireReader()
        guard let object = reader.object(json, at: "body") else {
            throw APIError.badRequest("The body must be a JSON object.", fields: reader.errors)
        }
        reader.rejectUnknownKeys(object, allowed: Set(["telephoneNumbers", "countryCode"] + (allowCustomer ? ["customerId"] : [])), at: "")
        let inputs = readNumberList(object, reader: &reader)
        let region = readRegion(object, reader: &reader)
        let customerID = allowCustomer ? readID(object, "customerId", reader: &reader) : nil
        if allowCustomer && customerID == nil && !reader.errors.contains(where: { $0.field == "customerId" }) {
            reader.errors.append(FieldError(field: "customerId", message: "customerId is required"))
        }
        guard reader.errors.isEmpty else {
            throw APIError.badRequest("The body has invalid fields; see errors.", fields: reader.errors)
        }
        return (inputs, region, customerID)
    }

    /// Reads the required, non-empty `telephoneNumbers` array of strings.
    private static func readNumberList(_ object: JSONObject, reader: inout WireReader) -> [String] {
        guard let items = reader.array(object, "telephoneNumbers", at: "") else {
            if object["telephoneNumbers"] == nil {
                reader.errors.append(FieldError(field: "telephoneNumbers", message: "telephoneNumbers is required"))
            }
            return []
        }
        guard !items.isEmpty else {
            reader.errors.append(FieldError(field: "telephoneNumbers", message: "telephoneNumbers is empty; give at least one number"))
            return []
        }
        guard items.count <= maxNumbersPerCall else {
            reader.errors.append(
                FieldError(
                    field: "telephoneNumbers",
                    message: "telephoneNumbers has \(items.count) entries; send at most \(maxNumbersPerCall) per call"))
            return []
        }
        var inputs: [String] = []
        inputs.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                if reader.errors.count < NumberRules.maxListedRejections {
                    reader.errors.append(
                        FieldError(
                            field: "telephoneNumbers[\(index)]", message: "each telephone number must be a string, not \(item.typeName)"))
                }
                continue
            }
            inputs.append(text)
        }
        return inputs
    }

    /// Reads the optional `countryCode`, which must be a region with libphonenumber metadata.
    private static func readRegion(_ object: JSONObject, reader: inout WireReader) -> String? {
        guard case .some(.some(let code)) = reader.string(object, "countryCode", at: "") else {
            return nil
        }
        guard code.utf8.count == 2, TelephoneNumbers.isSupportedRegion(code.uppercased()) else {
            reader.errors.append(
                FieldError(
                    field: "countryCode",
                    message: "\"\(code.prefix(40))\" is not an ISO 3166-1 alpha-2 code with numbering data; give a code such as US or GB"))
            return nil
        }
        return code.uppercased()
    }

    private static func readAttributes(_ object: JSONObject, reader: inout WireReader) -> NumberAttributes {
        var values: [String: String] = [:]
        for key in attributeKeys {
            guard case .some(.some(let value)) = reader.string(object, key, at: "") else { continue }
            reader.errors += FieldRules.validateFreeText(value, field: key)
            values[key] = value
        }
        return NumberAttributes(
            type: values["type"], subType: values["subType"], orderType: values["orderType"], routeLabel: values["routeLabel"])
    }

    private static func readID(_ object: JSONObject, _ key: String, reader: inout WireReader) -> Int64? {
        guard case .some(.some(let text)) = reader.string(object, key, at: "") else {
            return nil
        }
        return parseID(text, field: key, reader: &reader)
    }

    // MARK: - Numbers out

    /// Writes one number. `features` adds the `features` object of the single-number view.
    static func write(_ number: NumberRecord, features: NumberFeatures? = nil, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("telephoneNumber")
        writer.string(number.telephoneNumber)
        writer.key("country")
        writer.optionalString(number.country)
        writer.key("carrier")
        if let carrier = number.carrier {
            writer.beginObject()
            writer.key("id")
            writer.int(carrier.id)
            writer.key("name")
            writer.string(carrier.name)
            writer.endObject()
        } else {
            writer.null()
        }

        writer.key("accountId")
        writer.string(String(number.accountID))
        writer.key("accountType")
        writer.string(number.accountKind.rawValue)
        writer.key("status")
        writer.string(number.status.rawValue)

        writer.key("type")
        writer.optionalString(number.attributes.type)
        writer.key("subType")
        writer.optionalString(number.attributes.subType)
        writer.key("orderType")
        writer.optionalString(number.attributes.orderType)
        writer.key("routeLabel")
        writer.optionalString(number.attributes.routeLabel)
        writer.key("activatedDate")
        writer.optionalString(number.activatedAt.map { String($0) })
        if let features {
            writer.key("features")
            FeatureWire.write(features, into: &writer)
        }
        writer.endObject()
    }

    /// Writes `{"numbers": […], "nextCursor": …}`.
    static func writePage(_ numbers: ArraySlice<NumberRecord>, nextCursor: String?) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + numbers.count * 320)
        writer.beginObject()
        writer.key("numbers")
        writer.beginArray()
        for number in numbers {
            write(number, into: &writer)
        }
        writer.endArray()
        writer.key("nextCursor")
        writer.optionalString(nextCursor)
        writer.endObject()
        return writer.bytes
    }

    // MARK: - Cursors

    /// Encodes the last number of a page as an opaque cursor: hex of `"n1:" + digits`.
    static func cursor(after telephoneNumber: String) -> String {
        Crypto.hex(Array(("n1:" + telephoneNumber).utf8))
    }

    /// Decodes a cursor from `cursor(after:)`; nil when it is not one.
    static func telephoneNumber(fromCursor cursor: String) -> String? {
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
        guard text.hasPrefix("n1:") else { return nil }
        let digits = String(text.dropFirst(3))
        guard (1...TelephoneNumbers.maxE164Digits).contains(digits.utf8.count), digits.utf8.allSatisfy(FieldRules.isDigit) else {
            return nil
        }
        return digits
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    // MARK: - Bulk errors

    /// Renders a bulk failure: the error object plus `errors` of `{telephoneNumber, reason}`
    /// (at most `NumberRules.maxListedRejections`) and `errorCount`, the total.
    static func rejectionResponse(status: Int, detail: String, rejections: [NumberRejection], total: Int) -> HTTPResponse {
        var writer = JSONWriter(capacity: 256 + rejections.count * 128)
        writer.beginObject()
        writer.key("statusCode")
        writer.string(String(status))
        writer.key("status")
        writer.string(APIError.statusText(status))
        writer.key("detail")
        writer.string(detail)
        writer.key("errors")
        writer.beginArray()
        for rejection in rejections.prefix(NumberRules.maxListedRejections) {
            writer.beginObject()
            writer.key("telephoneNumber")
            writer.string(rejection.telephoneNumber)
            writer.key("reason")
            writer.string(rejection.reason.message)
            writer.endObject()
        }
        writer.endArray()
        writer.key("errorCount")
        writer.int(total)
        writer.endObject()
        return .json(status, writer.bytes)
    }
}

extension FieldRules {
    /// Returns whether `byte` is an ASCII digit.
    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
