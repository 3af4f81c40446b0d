import NumberlineCore
import Testing

@Suite("Address rules")
struct AddressRulesTests {
    @Test("country table has 249 codes")
    func countryTableSize() {
        #expect(RegionCodes.countries.count == 249)
        #expect(RegionCodes.countries.allSatisfy { $0.utf8.count == 2 })
        #expect(RegionCodes.countries.allSatisfy { $0 == $0.uppercased() })
    }

    @Test("country accepts assigned codes", arguments: ["US", "CA", "GB", "DE", "AX", "SS", "BQ", "CW", "SX", "PS", "AQ"])
    func countryAccepts(code: String) {
        #expect(FieldRules.validateCountry(code, field: "country").isEmpty)
    }

    @Test("country rejects unknown codes", arguments: ["XX", "UK", "XK", "USA", "U", "", "ZZ", "EU"])
    func countryRejects(code: String) {
        let errors = FieldRules.validateCountry(code, field: "resellerAccount.country")
        #expect(
            errors == [
                FieldError(
                    field: "resellerAccount.country",
                    message: "\"\(code)\" is not a two-letter ISO 3166-1 country code; use e.g. \"US\" or \"CA\"")
            ])
    }

    @Test("country rejects lower case")
    func countryLowerCase() {
        let errors = FieldRules.validateCountry("us", field: "country")
        #expect(errors == [FieldError(field: "country", message: "\"us\" must be upper case; use \"US\"")])
    }

    @Test("state table sizes")
    func stateTableSizes() {
        #expect(RegionCodes.unitedStatesStates.count == 59)
        #expect(RegionCodes.canadianProvinces.count == 13)
    }

    @Test("US state accepts", arguments: ["NY", "CA", "DC", "PR", "GU", "VI", "AS", "MP", "AA", "AE", "AP", "WY"])
    func usStateAccepts(state: String) {
        #expect(FieldRules.validateState(state, country: "US", field: "state").isEmpty)
    }

    @Test("US state rejects", arguments: ["XX", "ON", "New York", "N", "UM"])
    func usStateRejects(state: String) {
        let errors = FieldRules.validateState(state, country: "US", field: "state")
        #expect(
            errors == [
                FieldError(
                    field: "state",
                    message: "\(quotedForTest(state)) is not a state code of US; use a two-letter USPS code such as \"NY\" or \"DC\"")
            ])
    }

    @Test("state rejects lower case")
    func stateLowerCase() {
        #expect(
            FieldRules.validateState("ny", country: "US", field: "state") == [
                FieldError(field: "state", message: "\"ny\" must be upper case; use \"NY\"")
            ])
        #expect(FieldRules.validateState("qc", country: "CA", field: "state").count == 1)
    }

    @Test("Canadian province accepts", arguments: ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"])
    func provinceAccepts(province: String) {
        #expect(FieldRules.validateState(province, country: "CA", field: "state").isEmpty)
    }

    @Test("Canadian province rejects")
    func provinceRejects() {
        let errors = FieldRules.validateState("NY", country: "CA", field: "state")
        #expect(
            errors == [
                FieldError(
                    field: "state",
                    message: "\"NY\" is not a state code of CA; use a two-letter province or territory code such as \"ON\" or \"QC\"")
            ])
        #expect(FieldRules.validateState("PQ", country: "CA", field: "state").count == 1)
    }

    @Test("state unchecked elsewhere")
    func stateUncheckedElsewhere() {
        #expect(FieldRules.validateState("Bavaria", country: "DE", field: "state").isEmpty)
        #expect(FieldRules.validateState("XX", country: nil, field: "state").isEmpty)
    }

    @Test("ZIP accepts", arguments: ["10001", "00501", "10001-1234"])
    func zipAccepts(zip: String) {
        #expect(FieldRules.validatePostalCode(zip, country: "US", field: "zipCode").isEmpty)
    }

    @Test("ZIP rejects", arguments: ["1000", "100011", "10001-123", "10001 1234", "1000A", "10001-12345", "١٢٣٤٥", ""])
    func zipRejects(zip: String) {
        let errors = FieldRules.validatePostalCode(zip, country: "US", field: "zipCode")
        #expect(
            errors == [
                FieldError(
                    field: "zipCode",
                    message: "\(quotedForTest(zip)) is not a US ZIP code; use 5 digits or ZIP+4 such as \"10001\" or \"10001-1234\"")
            ])
    }

    @Test("Canadian postal code accepts", arguments: ["K1A 0B1", "K1A0B1", "H2X 1Y4", "V6B 4Y8", "X0A 0H0"])
    func postalAccepts(code: String) {
        #expect(FieldRules.validatePostalCode(code, country: "CA", field: "zipCode").isEmpty)
    }

    @Test(
        "Canadian postal code rejects",
        arguments: ["k1a 0b1", "K1A  0B1", "K1A-0B1", "11A 0B1", "KAA 0B1", "D1A 0B1", "W1A 0B1", "Z1A 0B1", "K1O 0B1", "K1A 0B", "10001"])
    func postalRejects(code: String) {
        let errors = FieldRules.validatePostalCode(code, country: "CA", field: "zipCode")
        #expect(
            errors == [
                FieldError(
                    field: "zipCode",
                    message: "\(quotedForTest(code)) is not a Canadian postal code; use upper case in the form \"K1A 0B1\"")
            ])
    }

    @Test("postal code unchecked elsewhere")
    func postalUncheckedElsewhere() {
        #expect(FieldRules.validatePostalCode("SW1A 1AA", country: "GB", field: "zipCode").isEmpty)
        #expect(FieldRules.validatePostalCode("anything", country: nil, field: "zipCode").isEmpty)
    }
}

private func quotedForTest(_ value: String) -> String {
    "\"" + value + "\""
}
