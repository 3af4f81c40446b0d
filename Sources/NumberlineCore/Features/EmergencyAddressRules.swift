extension FeatureRules {
    /// The countries whose emergency addresses the server accepts: the E911 service areas.
    public static let emergencyAddressCountries: Set<String> = ["US", "CA"]

    /// The maximum characters of a department (site) name.
    public static let maxDepartmentNameLength = 100

    /// Checks the fields of an emergency address: free-text limits on every field, `US` or
    /// `CA` as the country, and a state or province code and postal code of that country.
    public static func validate(_ address: CivicAddress) -> [FieldError] {
        var errors: [FieldError] = []
        let texts: [(String, String?)] = [
            ("name", address.name), ("streetNumber", address.streetNumber), ("streetName", address.streetName),
            ("addressDescription", address.addressDescription), ("city", address.city),
        ]
        for (field, value) in texts {
            if let value {
                errors += FieldRules.validateFreeText(value, field: field)
            }
        }

        guard emergencyAddressCountries.contains(address.countryCode) else {
            errors.append(
                FieldError(
                    field: "countryCode",
                    message: "\(quoted(address.countryCode)) is not supported for emergency addresses; use \"US\" or \"CA\""))
            return errors
        }
        errors += FieldRules.validateState(address.stateCode, country: address.countryCode, field: "stateCode")
        errors += FieldRules.validatePostalCode(address.postalCode, country: address.countryCode, field: "postalCode")
        return errors
    }

    /// Returns why `name` cannot name a site, or `nil` when it can: 1 to 100 characters, no control characters.
    public static func departmentNameProblem(_ name: String) -> String? {
        if name.unicodeScalars.count > maxDepartmentNameLength {
            return "departmentName is \(name.unicodeScalars.count) characters long; shorten it to at most \(maxDepartmentNameLength)"
        }
        return FieldRules.validateFreeText(name, field: "departmentName").first?.message
    }

    /// Returns the key under which department names are unique per customer: the name folded
    /// to lower case, so that "Sales" and "SALES" collide.
    public static func departmentKey(_ name: String) -> String {
        name.lowercased()
    }
}
