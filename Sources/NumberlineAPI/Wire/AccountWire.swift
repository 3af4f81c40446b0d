import NumberlineCore
import NumberlineJSON

/// The account object of the wire (`accountType` plus one of `resellerAccount`,
/// `customerAccount`, `userAccount`) and its mapping to domain types.
enum AccountWire {
    /// The member that carries the account's fields for each kind.
    static func objectKey(_ kind: AccountKind) -> String {
        switch kind {
        case .reseller: "resellerAccount"
        case .customer: "customerAccount"
        case .user: "userAccount"
        }
    }

    static let addressKeys = ["streetNumber", "streetName", "zipCode", "city", "country", "state"]
    static let contactKeys = ["firstName", "lastName", "email", "phone"]
    static let loginKeys: Set<String> = ["userName", "password", "firstName", "lastName", "email", "phoneNumber"]
    static let vendorKeys = ["accountId", "productCode", "profileName"] + (1...9).map { "vendorField\($0)" }

    static let sharedKeys: Set<String> = Set(addressKeys).union([
        "companyName", "notificationEmail", "agent", "agentEmail", "vendorInfo", "billingInfo",
        "technicalContactInfo", "primaryServiceAddress", "routingProfile", "domesticDIDProvider",
        "internationalDIDProvider", "loginInformation", "modulesAccess",
    ])
    static let resellerKeys: Set<String> = sharedKeys.union(["resellerId"])
    static let customerKeys: Set<String> = sharedKeys.union([
        "resellerId", "customerId", "customerContractingEntity", "endCustomerName", "fqdnId", "serviceId",
        "parentId", "plan", "orderType", "role", "msTeamsTenantId", "zoomAccountId",
    ])
    static let userKeys: Set<String> = ["loginInformation", "parentId", "userId"]

    // MARK: - Decoding

    /// A decoded create or update body.
    struct Body {
        var kind: AccountKind
        /// The wire path of the account object, e.g. `customerAccount`.
        var prefix: String
        var fields: JSONObject
    }

    /// Partial `modulesAccess`: members left out stay as they are.
    struct ModulesPatch {
        var did: Bool?
        var msteam: Bool?
        var ucaas: Bool?
        var enhancedServices: Bool?
        var stats: Bool?

        var isEmpty: Bool { did == nil && msteam == nil && ucaas == nil && enhancedServices == nil && stats == nil }

        func applied(to modules: Modules) -> Modules {
            var result = modules
            if let did { result.did = did }
            if let msteam { result.msteam = msteam }
            if let ucaas { result.ucaas = ucaas }
            if let enhancedServices { result.enhancedServices = enhancedServices }
            if let stats { result.stats = stats }
            return result
        }
    }

    /// Reads `accountType` and finds the matching account object; the other two must be absent or null.
    static func decodeBody(_ value: JSONValue, reader: inout WireReader) -> Body? {
        guard let root = reader.object(value, at: "body") else { return nil }
        reader.rejectUnknownKeys(root, allowed: ["accountType", "resellerAccount", "customerAccount", "userAccount"], at: "")
        guard case .string(let typeName)? = root["accountType"] else {
            reader.errors.append(
                FieldError(field: "accountType", message: "accountType is required: \"Reseller\", \"Customer\" or \"User\""))
            return nil
        }
        guard let kind = AccountKind(rawValue: typeName) else {
            reader.errors.append(
                FieldError(
                    field: "accountType",
                    message: "\"\(typeName.prefix(40))\" is not an account type; use \"Reseller\", \"Customer\" or \"User\""))
            return nil
        }
        let key = objectKey(kind)
        for other in AccountKind.allCases where other != kind {
            if let value = root[objectKey(other)], value != .null {
                reader.errors.append(
                    FieldError(
                        field: objectKey(other),
                        message: "\(objectKey(other)) does not belong to a \(kind.rawValue) account; send only \(key)"))
            }
        }
        guard let inner = root[key] else {
            reader.errors.append(FieldError(field: key, message: "\(key) is required for a \(kind.rawValue) account"))
            return nil
        }
        guard let fields = reader.object(inner, at: key) else { return nil }
        let allowed: Set<String> =
            switch kind {
            case .reseller: resellerKeys
            case .customer: customerKeys
            case .user: userKeys
            }
        reader.rejectUnknownKeys(fields, allowed: allowed, at: key)
        return Body(kind: kind, prefix: key, fields: fields)
    }

    /// Applies the profile members present in `fields` to `profile`; absent members keep their value.
    static func applyProfile(_ fields: JSONObject, prefix: String, to profile: inout AccountProfile, reader: inout WireReader) {
        assign(&profile.companyName, reader.string(fields, "companyName", at: prefix))
        applyAddress(fields, prefix: prefix, to: &profile.address, reader: &reader)
        assign(&profile.notificationEmail, reader.string(fields, "notificationEmail", at: prefix))
        assign(&profile.agent, reader.string(fields, "agent", at: prefix))
        assign(&profile.agentEmail, reader.string(fields, "agentEmail", at: prefix))
        assign(&profile.customerContractingEntity, reader.string(fields, "customerContractingEntity", at: prefix))
        assign(&profile.endCustomerName, reader.string(fields, "endCustomerName", at: prefix))
        assign(&profile.fqdnId, reader.string(fields, "fqdnId", at: prefix))
        assign(&profile.serviceId, reader.string(fields, "serviceId", at: prefix))
        assign(&profile.plan, reader.string(fields, "plan", at: prefix))
        assign(&profile.orderType, reader.string(fields, "orderType", at: prefix))
        assign(&profile.role, reader.string(fields, "role", at: prefix))
        assign(&profile.msTeamsTenantId, reader.string(fields, "msTeamsTenantId", at: prefix))
        assign(&profile.zoomAccountId, reader.string(fields, "zoomAccountId", at: prefix))

        switch reader.nestedObject(fields, "vendorInfo", at: prefix) {
        case .some(.some(let vendor)):
            let path = WireReader.path(prefix, "vendorInfo")
            reader.rejectUnknownKeys(vendor, allowed: Set(vendorKeys), at: path)
            assign(&profile.vendorInfo.accountId, reader.string(vendor, "accountId", at: path))
            assign(&profile.vendorInfo.productCode, reader.string(vendor, "productCode", at: path))
            assign(&profile.vendorInfo.profileName, reader.string(vendor, "profileName", at: path))
            for index in 0..<9 {
                assign(&profile.vendorInfo.fields[index], reader.string(vendor, "vendorField\(index + 1)", at: path))
            }
        case .some(.none):
            profile.vendorInfo = VendorInfo()
        case .none:
            break
        }
        applyContact(fields, "billingInfo", prefix: prefix, to: &profile.billingInfo, reader: &reader)
        applyContact(fields, "technicalContactInfo", prefix: prefix, to: &profile.technicalContactInfo, reader: &reader)
        switch reader.nestedObject(fields, "primaryServiceAddress", at: prefix) {
        case .some(.some(let address)):
            let path = WireReader.path(prefix, "primaryServiceAddress")
            reader.rejectUnknownKeys(address, allowed: Set(addressKeys), at: path)
            applyAddress(address, prefix: path, to: &profile.primaryServiceAddress, reader: &reader)
        case .some(.none):
            profile.primaryServiceAddress = PostalAddress()
        case .none:
            break
        }
        switch reader.nestedObject(fields, "routingProfile", at: prefix) {
        case .some(.some(let routing)):
            let path = WireReader.path(prefix, "routingProfile")
            reader.rejectUnknownKeys(routing, allowed: ["accountId"], at: path)
            assign(&profile.routingProfileAccountId, reader.string(routing, "accountId", at: path))
        case .some(.none):
            profile.routingProfileAccountId = nil
        case .none:
            break
        }
        if let providers = decodeProviders(fields, "domesticDIDProvider", prefix: prefix, international: false, reader: &reader) {
            profile.domesticDIDProviders = providers
        }
        if let providers = decodeProviders(fields, "internationalDIDProvider", prefix: prefix, international: true, reader: &reader) {
            profile.internationalDIDProviders = providers
        }
    }

    /// The address members validated against each other: the state and postal code formats depend on the country.
    static let countryGroupKeys = ["country", "state", "zipCode"]

    private static func applyAddress(_ fields: JSONObject, prefix: String, to address: inout PostalAddress, reader: inout WireReader) {
        // Sent together, the three are checked as one; a partial update would check a new state
        // against a stored country that the body does not show.
        let sentGroupKeys = countryGroupKeys.filter { fields[$0] != nil }
        if !sentGroupKeys.isEmpty && sentGroupKeys.count < countryGroupKeys.count {
            for key in countryGroupKeys where fields[key] == nil {
                let field = WireReader.path(prefix, key)
                reader.errors.append(
                    FieldError(
                        field: field,
                        message:
                            "\(field) is missing; send country, state and zipCode together (null or \"\" for an empty one), because the state and postal code formats depend on the country"
                    ))
            }
        }
        assign(&address.streetNumber, reader.string(fields, "streetNumber", at: prefix))
        assign(&address.streetName, reader.string(fields, "streetName", at: prefix))
        assign(&address.zipCode, reader.string(fields, "zipCode", at: prefix))
        assign(&address.city, reader.string(fields, "city", at: prefix))
        assign(&address.country, reader.string(fields, "country", at: prefix))
        assign(&address.state, reader.string(fields, "state", at: prefix))
    }

    private static func applyContact(
        _ fields: JSONObject, _ key: String, prefix: String, to contact: inout ContactPerson, reader: inout WireReader
    ) {
        switch reader.nestedObject(fields, key, at: prefix) {
        case .some(.some(let object)):
            let path = WireReader.path(prefix, key)
            reader.rejectUnknownKeys(object, allowed: Set(contactKeys), at: path)
            assign(&contact.firstName, reader.string(object, "firstName", at: path))
            assign(&contact.lastName, reader.string(object, "lastName", at: path))
            assign(&contact.email, reader.string(object, "email", at: path))
            assign(&contact.phone, reader.string(object, "phone", at: path))
        case .some(.none):
            contact = ContactPerson()
        case .none:
            break
        }
    }

    private static func decodeProviders(_ fields: JSONObject, _ key: String, prefix: String, international: Bool, reader: inout WireReader)
        -> [DIDProvider]?
    {
        guard let items = reader.array(fields, key, at: prefix) else { return nil }
        var providers: [DIDProvider] = []
        for (index, item) in items.enumerated() {
            let path = WireReader.path(prefix, "\(key)[\(index)]")
            guard let object = reader.object(item, at: path) else { continue }
            var allowed: Set<String> = ["providerName", "didCarrier", "e911Provider"]
            if international { allowed.insert("country") }
            reader.rejectUnknownKeys(object, allowed: allowed, at: path)
            var provider = DIDProvider()
            assign(&provider.providerName, reader.string(object, "providerName", at: path))
            assign(&provider.didCarrier, reader.string(object, "didCarrier", at: path))
            assign(&provider.e911Provider, reader.string(object, "e911Provider", at: path))
            if international {
                assign(&provider.country, reader.string(object, "country", at: path))
            }
            providers.append(provider)
        }
        return providers
    }

    /// Reads `loginInformation`; nil when absent.
    static func decodeLogins(_ fields: JSONObject, prefix: String, reader: inout WireReader) -> [LoginDraft]? {
        guard let items = reader.array(fields, "loginInformation", at: prefix) else { return nil }
        var logins: [LoginDraft] = []
        for (index, item) in items.enumerated() {
            let path = WireReader.path(prefix, "loginInformation[\(index)]")
            guard let object = reader.object(item, at: path) else { continue }
            reader.rejectUnknownKeys(object, allowed: loginKeys, at: path)
            var login = LoginDraft()
            assign(&login.userName, reader.string(object, "userName", at: path))
            assign(&login.password, reader.string(object, "password", at: path))
            assign(&login.firstName, reader.string(object, "firstName", at: path))
            assign(&login.lastName, reader.string(object, "lastName", at: path))
            assign(&login.email, reader.string(object, "email", at: path))
            assign(&login.phoneNumber, reader.string(object, "phoneNumber", at: path))
            logins.append(login)
        }
        return logins
    }

    /// Reads `modulesAccess`; members left out stay unset in the patch.
    static func decodeModules(_ fields: JSONObject, prefix: String, reader: inout WireReader) -> ModulesPatch {
        var patch = ModulesPatch()
        guard case .some(.some(let object)) = reader.nestedObject(fields, "modulesAccess", at: prefix) else { return patch }
        let path = WireReader.path(prefix, "modulesAccess")
        reader.rejectUnknownKeys(object, allowed: Set(Modules.wireNames), at: path)
        patch.did = reader.bool(object, "did", at: path)
        patch.msteam = reader.bool(object, "msteam", at: path)
        patch.ucaas = reader.bool(object, "ucaas", at: path)
        patch.enhancedServices = reader.bool(object, "enhancedServices", at: path)
        patch.stats = reader.bool(object, "stats", at: path)
        return patch
    }

    // MARK: - Encoding

    /// Writes the account in the reference's field order; passwords are never written.
    static func write(_ account: Account, logins: [Login], into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("accountType")
        writer.string(account.kind.rawValue)
        writer.dynamicKey(objectKey(account.kind))
        writer.beginObject()
        let profile = account.profile
        switch account.kind {
        case .reseller:
            writer.key("resellerId")
            writer.string(String(account.id))
            writeCommonHead(profile, into: &writer)
            writeCommonTail(account, logins: logins, into: &writer)
        case .customer:
            writer.key("resellerId")
            writer.string(String(account.resellerID))
            writer.key("customerId")
            writer.string(String(account.id))
            writeCommonHead(profile, into: &writer)
            writer.key("customerContractingEntity")
            writer.optionalString(profile.customerContractingEntity)
            writer.key("endCustomerName")
            writer.optionalString(profile.endCustomerName)
            writer.key("fqdnId")
            writer.optionalString(profile.fqdnId)
            writer.key("serviceId")
            writer.optionalString(profile.serviceId)
            writer.key("parentId")
            writer.optionalString(account.parentID.map { String($0) })
            writer.key("plan")
            writer.optionalString(profile.plan)
            writer.key("orderType")
            writer.optionalString(profile.orderType)
            writer.key("role")
            writer.optionalString(profile.role)
            writeCommonTail(account, logins: logins, into: &writer)
            writer.key("msTeamsTenantId")
            writer.optionalString(profile.msTeamsTenantId)
            writer.key("zoomAccountId")
            writer.optionalString(profile.zoomAccountId)
        case .user:
            writeLogins(logins, into: &writer)
            writer.key("userId")
            writer.string(String(account.id))
            writer.key("parentId")
            writer.optionalString(account.parentID.map { String($0) })
        }
        writer.endObject()
        writer.endObject()
    }

    private static func writeCommonHead(_ profile: AccountProfile, into writer: inout JSONWriter) {
        writer.key("companyName")
        writer.optionalString(profile.companyName)
        writeAddress(profile.address, into: &writer)
        writer.key("notificationEmail")
        writer.optionalString(profile.notificationEmail)
        writer.key("agent")
        writer.optionalString(profile.agent)
        writer.key("agentEmail")
        writer.optionalString(profile.agentEmail)
    }

    /// The keys of the numbered vendor fields, in order.
    private static let vendorFieldKeys: [StaticString] = [
        "vendorField1", "vendorField2", "vendorField3", "vendorField4", "vendorField5", "vendorField6", "vendorField7",
        "vendorField8", "vendorField9",
    ]

    private static func writeCommonTail(_ account: Account, logins: [Login], into writer: inout JSONWriter) {
        let profile = account.profile
        writer.key("vendorInfo")
        writer.beginObject()
        writer.key("accountId")
        writer.optionalString(profile.vendorInfo.accountId)
        writer.key("productCode")
        writer.optionalString(profile.vendorInfo.productCode)
        writer.key("profileName")
        writer.optionalString(profile.vendorInfo.profileName)
        for (key, field) in zip(vendorFieldKeys, profile.vendorInfo.fields) {
            writer.key(key)
            writer.optionalString(field)
        }
        writer.endObject()
        writeContact("billingInfo", profile.billingInfo, into: &writer)
        writeContact("technicalContactInfo", profile.technicalContactInfo, into: &writer)
        writer.key("primaryServiceAddress")
        writer.beginObject()
        writeAddress(profile.primaryServiceAddress, into: &writer)
        writer.endObject()
        writer.key("routingProfile")
        writer.beginObject()
        writer.key("accountId")
        writer.optionalString(profile.routingProfileAccountId)
        writer.endObject()
        writeProviders("domesticDIDProvider", profile.domesticDIDProviders, international: false, into: &writer)
        writeProviders("internationalDIDProvider", profile.internationalDIDProviders, international: true, into: &writer)
        writeLogins(logins, into: &writer)
        writer.key("modulesAccess")
        writer.beginObject()
        writer.key("did")
        writer.bool(account.modules.did)
        writer.key("msteam")
        writer.bool(account.modules.msteam)
        writer.key("ucaas")
        writer.bool(account.modules.ucaas)
        writer.key("enhancedServices")
        writer.bool(account.modules.enhancedServices)
        writer.key("stats")
        writer.bool(account.modules.stats)
        writer.endObject()
    }

    private static func writeAddress(_ address: PostalAddress, into writer: inout JSONWriter) {
        writer.key("streetNumber")
        writer.optionalString(address.streetNumber)
        writer.key("streetName")
        writer.optionalString(address.streetName)
        writer.key("zipCode")
        writer.optionalString(address.zipCode)
        writer.key("city")
        writer.optionalString(address.city)
        writer.key("country")
        writer.optionalString(address.country)
        writer.key("state")
        writer.optionalString(address.state)
    }

    private static func writeContact(_ key: StaticString, _ contact: ContactPerson, into writer: inout JSONWriter) {
        writer.key(key)
        writer.beginObject()
        writer.key("firstName")
        writer.optionalString(contact.firstName)
        writer.key("lastName")
        writer.optionalString(contact.lastName)
        writer.key("email")
        writer.optionalString(contact.email)
        writer.key("phone")
        writer.optionalString(contact.phone)
        writer.endObject()
    }

    private static func writeProviders(_ key: StaticString, _ providers: [DIDProvider], international: Bool, into writer: inout JSONWriter)
    {
        writer.key(key)
        writer.beginArray()
        for provider in providers {
            writer.beginObject()
            writer.key("providerName")
            writer.optionalString(provider.providerName)
            writer.key("didCarrier")
            writer.optionalString(provider.didCarrier)
            writer.key("e911Provider")
            writer.optionalString(provider.e911Provider)
            if international {
                writer.key("country")
                writer.optionalString(provider.country)
            }
            writer.endObject()
        }
        writer.endArray()
    }

    static func writeLogins(_ logins: [Login], into writer: inout JSONWriter) {
        writer.key("loginInformation")
        writer.beginArray()
        for login in logins {
            writer.beginObject()
            writer.key("userName")
            writer.string(login.username)
            writer.key("firstName")
            writer.optionalString(login.firstName)
            writer.key("lastName")
            writer.optionalString(login.lastName)
            writer.key("email")
            writer.optionalString(login.email)
            writer.key("phoneNumber")
            writer.optionalString(login.phoneNumber)
            writer.endObject()
        }
        writer.endArray()
    }
}
