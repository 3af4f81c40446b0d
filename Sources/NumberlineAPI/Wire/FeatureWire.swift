import NumberlineCore
import NumberlineHTTP
import NumberlineJSON
import NumberlineNumbers

/// A decoded feature body: the member values by name, with `telephoneNumbers` split out.
struct FeatureBody {
    /// The raw entries of `telephoneNumbers`, as sent.
    var telephoneNumbers: [String]
    /// String members by name; a member sent as null or `""` is absent.
    var strings: [String: String]
    /// Integer members by name (such as `locationId`).
    var integers: [String: Int64]
    /// Whether the body has a `telephoneNumbers` member, so that an empty list can mean "none".
    var hasTelephoneNumbers = false
}

/// Wire mapping of the feature sections: bodies in, feature objects and bulk errors out.
enum FeatureWire {
    /// The maximum numbers one feature call may carry; each is checked and written in one transaction.
    static let maxNumbersPerCall = 10_000
    /// Body limit of a bulk feature call: 10,000 formatted numbers with room to spare.
    static let maxBodyBytes = 2 << 20

    // MARK: - Bodies

    /// Decodes a body object whose members are `telephoneNumbers` (when `numbers` is not
    /// `.absent`), the string members `strings` and the integer members `integers`.
    /// Throws 400 naming every unknown, mistyped or missing member.
    static func decode(
        _ json: JSONValue, numbers: NumberListRule, strings: [String], required: Set<String> = [], integers: [String] = []
    ) throws -> FeatureBody {
        var reader = WireReader()
        guard let object = reader.object(json, at: "body") else {
            throw APIError.badRequest("The body must be a JSON object.", fields: reader.errors)
        }
        let allowed = Set(strings + integers + (numbers == .absent ? [] : ["telephoneNumbers"]))
        reader.rejectUnknownKeys(object, allowed: allowed, at: "")

        var body = FeatureBody(telephoneNumbers: [], strings: [:], integers: [:])
        if numbers != .absent {
            body.telephoneNumbers = readNumberList(object, required: numbers == .required, reader: &reader)
            body.hasTelephoneNumbers = object["telephoneNumbers"] != nil
        }
        for key in strings {
            if case .some(.some(let value)) = reader.string(object, key, at: "") {
                body.strings[key] = value
            }
        }
        for key in integers {
            guard let value = object[key], !value.isNull else { continue }
            guard let number = value.int64, number > 0 else {
                reader.errors.append(FieldError(field: key, message: "\(key) must be a positive whole number, not \(value.typeName)"))
                continue
            }
            body.integers[key] = number
        }
        for key in required.sorted() where body.strings[key] == nil && body.integers[key] == nil {
            if !reader.errors.contains(where: { $0.field == key }) {
                reader.errors.append(FieldError(field: key, message: "\(key) is required"))
            }
        }
        guard reader.errors.isEmpty else {
            throw APIError.badRequest("The body has invalid fields; see errors.", fields: reader.errors)
        }
        return body
    }

    /// Whether a body carries `telephoneNumbers`.
    enum NumberListRule: Equatable {
        case required
        case optional
        case absent
    }

    private static func readNumberList(_ object: JSONObject, required: Bool, reader: inout WireReader) -> [String] {
        guard let items = reader.array(object, "telephoneNumbers", at: "") else {
            if object["telephoneNumbers"] == nil && required {
                reader.errors.append(FieldError(field: "telephoneNumbers", message: "telephoneNumbers is required"))
            }
            return []
        }
        if items.isEmpty && required {
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
                reader.errors.append(
                    FieldError(
                        field: "telephoneNumbers[\(index)]", message: "each telephone number must be a string, not \(item.typeName)"))
                continue
            }
            inputs.append(text)
        }
        return inputs
    }

    /// Checks an optional `countryCode` against the regions with libphonenumber metadata and returns it upper-cased.
    static func region(_ text: String?, field: String = "countryCode") throws -> String? {
        guard let text else {
            return nil
        }
        let upper = text.uppercased()
        guard upper.utf8.count == 2, TelephoneNumbers.isSupportedRegion(upper) else {
            throw APIError.badRequest(
                "The body has invalid fields; see errors.",
                fields: [
                    FieldError(
                        field: field,
                        message:
                            "\"\(text.prefix(40))\" is not an ISO 3166-1 alpha-2 code with numbering data; give a code such as US or CA")
                ])
        }
        return upper
    }

    // MARK: - Responses

    /// Renders rejected numbers as `{"errors": [{"telephoneNumber", "reason"}], "errorCount"}`, the shape of the Numbers section.
    static func rejectionResponse(_ rejections: [FeatureRejection], action: String) -> HTTPResponse {
        let status = rejections.first?.reason.status ?? 400
        let isOne = rejections.count == 1
        let numbers = isOne ? "1 number" : "\(rejections.count) numbers"
        let detail: String
        switch status {
        case 409:
            detail = "\(numbers) \(isOne ? "conflicts" : "conflict"), so nothing changed; see errors for each number and its reason."
        case 404:
            detail = "\(numbers) \(isOne ? "lacks" : "lack") the feature to \(action), so nothing changed; see errors for each number."
        default:
            detail =
                "\(numbers) \(isOne ? "is" : "are") invalid, repeated or not found, so nothing changed; fix the numbers listed in errors."
        }
        let listed = rejections.prefix(NumberRules.maxListedRejections).map {
            NumberRejection(telephoneNumber: $0.telephoneNumber, reason: .invalid($0.reason.message))
        }
        return NumberWire.rejectionResponse(status: status, detail: detail, rejections: Array(listed), total: rejections.count)
    }

    /// Writes the `features` object of the single-number view; absent features are null.
    static func write(_ features: NumberFeatures, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("cnam")
        if let name = features.callerName {
            writeCallerNameFields(name, into: &writer, wrapped: true)
        } else {
            writer.null()
        }

        writer.key("callForwarding")
        if let forwarding = features.callForwarding {
            writer.beginObject()
            writer.key("callForwardNumber")
            writer.string(forwarding.forwardTo)
            writer.key("countryCode")
            writer.optionalString(forwarding.countryCode)
            writer.endObject()
        } else {
            writer.null()
        }

        writer.key("cpn")
        if let cpn = features.callingPartyNumber {
            writer.beginObject()
            writer.key("cpnNumber")
            writer.string(cpn.cpnNumber)
            writer.key("countryCode")
            writer.optionalString(cpn.countryCode)
            writer.endObject()
        } else {
            writer.null()
        }

        writer.key("disasterPlan")
        if let plan = features.disasterPlan {
            writer.beginObject()
            writer.key("disasterPlanID")
            writer.string(plan.id.description)
            writer.key("callForwardNumber")
            writer.string(plan.forwardTo)
            writer.key("countryCode")
            writer.optionalString(plan.countryCode)
            writer.key("active")
            writer.bool(plan.isActive)
            writer.endObject()
        } else {
            writer.null()
        }

        writer.key("internationalCalling")
        if let criteria = features.internationalCalling {
            writer.beginObject()
            writer.key("criteria")
            writer.string(criteria.rawValue)
            writer.endObject()
        } else {
            writer.null()
        }

        writer.key("emergencyAddress")
        if let locationID = features.emergencyAddressID {
            writer.beginObject()
            writer.key("locationId")
            writer.int(locationID)
            writer.endObject()
        } else {
            writer.null()
        }

        writer.endObject()
    }

    /// Writes the CNAM members; `wrapped` puts them in their own object.
    static func writeCallerNameFields(_ name: CallerName, into writer: inout JSONWriter, wrapped: Bool) {
        if wrapped {
            writer.beginObject()
        }
        writer.key("callingName")
        writer.string(name.callingName)
        writer.key("firstName")
        writer.optionalString(name.firstName)
        writer.key("lastName")
        writer.optionalString(name.lastName)
        writer.key("businessName")
        writer.optionalString(name.businessName)
        if wrapped {
            writer.endObject()
        }
    }
}
