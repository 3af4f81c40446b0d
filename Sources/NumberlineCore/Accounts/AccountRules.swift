/// Login fields as a client sends them in one `loginInformation` element, before hashing.
public struct LoginDraft: Sendable, Equatable {
    public var userName: String?
    public var password: String?
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var phoneNumber: String?

    public init(
        userName: String? = nil, password: String? = nil, firstName: String? = nil, lastName: String? = nil, email: String? = nil,
        phoneNumber: String? = nil
    ) {
        self.userName = userName
        self.password = password
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phoneNumber = phoneNumber
    }
}

/// Validation of account bodies: required fields per account kind and the format of every
/// present field, reported under wire paths.
///
/// An empty string counts as absent, because clients written against the reference send `""`
/// for fields they leave unset.
public enum AccountRules {
    /// Validates an account profile and returns one error per invalid or missing field.
    /// - Parameter fieldPrefix: the wire path of the account object, e.g. `resellerAccount`.
    public static func validate(profile: AccountProfile, kind: AccountKind, fieldPrefix: String) -> [FieldError] {
        var errors: [FieldError] = []
        let path = { (name: String) in fieldPath(fieldPrefix, name) }

        switch kind {
        case .reseller, .customer:
            if isBlank(profile.companyName) {
                errors.append(
                    FieldError(
                        field: path("companyName"),
                        message: "companyName is missing; a \(kind.rawValue) account needs a company name"
                    ))
            }
        case .user:
            break
        }

        // The wire flattens `address` into the account object itself.
        errors += validateAddress(profile.address, fieldPrefix: fieldPrefix)
        errors += validateAddress(profile.primaryServiceAddress, fieldPrefix: path("primaryServiceAddress"))

        errors += validateText(profile.companyName, field: path("companyName"))
        errors += validateEmail(profile.notificationEmail, field: path("notificationEmail"))
        errors += validateText(profile.agent, field: path("agent"))
        errors += validateEmail(profile.agentEmail, field: path("agentEmail"))
        errors += validateText(profile.customerContractingEntity, field: path("customerContractingEntity"))
        errors += validateText(profile.endCustomerName, field: path("endCustomerName"))
        errors += validateText(profile.fqdnId, field: path("fqdnId"))
        errors += validateText(profile.serviceId, field: path("serviceId"))
        errors += validateText(profile.plan, field: path("plan"))
        errors += validateText(profile.orderType, field: path("orderType"))
        errors += validateText(profile.role, field: path("role"))

        errors += validateVendorInfo(profile.vendorInfo, fieldPrefix: path("vendorInfo"))
        errors += validateContact(profile.billingInfo, fieldPrefix: path("billingInfo"))
        errors += validateContact(profile.technicalContactInfo, fieldPrefix: path("technicalContactInfo"))
        errors += validateText(profile.routingProfileAccountId, field: path("routingProfile.accountId"))

        for (index, provider) in profile.domesticDIDProviders.enumerated() {
            errors += validateProvider(provider, fieldPrefix: path("domesticDIDProvider[\(index)]"))
        }
        for (index, provider) in profile.internationalDIDProviders.enumerated() {
            errors += validateProvider(provider, fieldPrefix: path("internationalDIDProvider[\(index)]"))
        }

        // NOTE: the reference has no fields for the Teams tenant and the Zoom account, so these
        // wire names are this server's additions and may change with the API layer.
        if let tenantID = present(profile.msTeamsTenantId) {
            errors += FieldRules.validateTenantID(tenantID, field: path("msTeamsTenantId"))
        }
        errors += validateText(profile.zoomAccountId, field: path("zoomAccountId"))
        return errors
    }

    /// Validates one `loginInformation` element.
    /// - Parameters:
    ///   - fieldPrefix: the element's wire path, e.g. `customerAccount.loginInformation[0]`.
    ///   - requirePassword: `true` when creating a login. On update a missing password keeps the old one.
    public static func validate(login: LoginDraft, fieldPrefix: String, requirePassword: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        let path = { (name: String) in fieldPath(fieldPrefix, name) }

        if let userName = present(login.userName) {
            errors += FieldRules.validateUsername(userName, field: path("userName"))
        } else {
            errors.append(FieldError(field: path("userName"), message: "userName is missing; every login needs a username"))
        }

        if let password = present(login.password) {
            errors += FieldRules.validatePassword(password, field: path("password"))
        } else if requirePassword {
            errors.append(FieldError(field: path("password"), message: "password is missing; a new login needs a password"))
        }

        errors += validateText(login.firstName, field: path("firstName"))
        errors += validateText(login.lastName, field: path("lastName"))
        errors += validateEmail(login.email, field: path("email"))
        errors += validateText(login.phoneNumber, field: path("phoneNumber"))
        return errors
    }

    /// Validates that a child's `modulesAccess` enables no module its parent lacks, with one error
    /// per extra module.
    /// - Parameter fieldPrefix: the wire path of `modulesAccess`, e.g. `customerAccount.modulesAccess`.
    public static func validate(modules: Modules, parentModules: Modules, fieldPrefix: String) -> [FieldError] {
        modules.missing(from: parentModules).map { name in
            FieldError(
                field: fieldPath(fieldPrefix, name),
                message: "the parent account does not have the \(name) module; set \(name) to false or enable it on the parent first"
            )
        }
    }

    // MARK: - Nested objects

    private static func validateAddress(_ address: PostalAddress, fieldPrefix: String) -> [FieldError] {
        var errors: [FieldError] = []
        let path = { (name: String) in fieldPath(fieldPrefix, name) }

        errors += validateText(address.streetNumber, field: path("streetNumber"))
        errors += validateText(address.streetName, field: path("streetName"))
        errors += validateText(address.city, field: path("city"))

        // State and postal code formats depend on the country, so they are checked only
        // against a valid one.
        var validCountry: String?
        if let country = present(address.country) {
            let countryErrors = FieldRules.validateCountry(country, field: path("country"))
            errors += countryErrors
            validCountry = countryErrors.isEmpty ? country : nil
        }
        if let state = present(address.state) {
            errors += FieldRules.validateFreeText(state, field: path("state"))
            errors += FieldRules.validateState(state, country: validCountry, field: path("state"))
        }
        if let zipCode = present(address.zipCode) {
            errors += FieldRules.validateFreeText(zipCode, field: path("zipCode"))
            errors += FieldRules.validatePostalCode(zipCode, country: validCountry, field: path("zipCode"))
        }
        return errors
    }

    private static func validateVendorInfo(_ vendorInfo: VendorInfo, fieldPrefix: String) -> [FieldError] {
        var errors: [FieldError] = []
        errors += validateText(vendorInfo.accountId, field: fieldPath(fieldPrefix, "accountId"))
        errors += validateText(vendorInfo.productCode, field: fieldPath(fieldPrefix, "productCode"))
        errors += validateText(vendorInfo.profileName, field: fieldPath(fieldPrefix, "profileName"))
        for (index, value) in vendorInfo.fields.enumerated() {
            errors += validateText(value, field: fieldPath(fieldPrefix, "vendorField\(index + 1)"))
        }
        return errors
    }

    private static func validateContact(_ contact: ContactPerson, fieldPrefix: String) -> [FieldError] {
        var errors: [FieldError] = []
        errors += validateText(contact.firstName, field: fieldPath(fieldPrefix, "firstName"))
        errors += validateText(contact.lastName, field: fieldPath(fieldPrefix, "lastName"))
        errors += validateEmail(contact.email, field: fieldPath(fieldPrefix, "email"))
        // NOTE: phone numbers get only the free-text check here; normalizing them with
        // libphonenumber happens in the API layer.
        errors += validateText(contact.phone, field: fieldPath(fieldPrefix, "phone"))
        return errors
    }

    private static func validateProvider(_ provider: DIDProvider, fieldPrefix: String) -> [FieldError] {
        var errors: [FieldError] = []
        errors += validateText(provider.providerName, field: fieldPath(fieldPrefix, "providerName"))
        errors += validateText(provider.didCarrier, field: fieldPath(fieldPrefix, "didCarrier"))
        errors += validateText(provider.e911Provider, field: fieldPath(fieldPrefix, "e911Provider"))
        if let country = present(provider.country) {
            errors += FieldRules.validateCountry(country, field: fieldPath(fieldPrefix, "country"))
        }
        return errors
    }

    // MARK: - Optional values

    private static func validateText(_ value: String?, field: String) -> [FieldError] {
        guard let value = present(value) else { return [] }
        return FieldRules.validateFreeText(value, field: field)
    }

    /// Checks an email's length and control characters first, so that a hostile value gets
    /// the same free-text errors as any other field.
    private static func validateEmail(_ value: String?, field: String) -> [FieldError] {
        guard let value = present(value) else { return [] }
        let textErrors = FieldRules.validateFreeText(value, field: field)
        if !textErrors.isEmpty {
            return textErrors
        }
        return FieldRules.validateEmail(value, field: field)
    }

    private static func present(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private static func isBlank(_ value: String?) -> Bool {
        guard let value else { return true }
        return value.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }
}
