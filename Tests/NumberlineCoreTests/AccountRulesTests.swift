import NumberlineCore
import Testing

private func fields(_ errors: [FieldError]) -> [String] {
    errors.map(\.field)
}

@Suite("Account rules")
struct AccountRulesTests {
    // MARK: - Required fields

    @Test("reseller needs companyName")
    func resellerNeedsCompanyName() {
        let errors = AccountRules.validate(profile: AccountProfile(), kind: .reseller, fieldPrefix: "resellerAccount")
        #expect(
            errors == [
                FieldError(field: "resellerAccount.companyName", message: "companyName is missing; a Reseller account needs a company name")
            ])
    }

    @Test("customer needs companyName")
    func customerNeedsCompanyName() {
        let errors = AccountRules.validate(profile: AccountProfile(companyName: "  "), kind: .customer, fieldPrefix: "customerAccount")
        #expect(
            errors == [
                FieldError(field: "customerAccount.companyName", message: "companyName is missing; a Customer account needs a company name")
            ])
    }

    @Test("user needs no profile fields")
    func userNeedsNothing() {
        #expect(AccountRules.validate(profile: AccountProfile(), kind: .user, fieldPrefix: "userAccount").isEmpty)
    }

    @Test("minimal profiles pass")
    func minimalProfilesPass() {
        let profile = AccountProfile(companyName: "Acme Telecom")
        #expect(AccountRules.validate(profile: profile, kind: .reseller, fieldPrefix: "resellerAccount").isEmpty)
        #expect(AccountRules.validate(profile: profile, kind: .customer, fieldPrefix: "customerAccount").isEmpty)
    }

    @Test("full valid profile passes")
    func fullProfilePasses() {
        let profile = AccountProfile(
            companyName: "Acme Telecom",
            address: PostalAddress(
                streetNumber: "12", streetName: "Main St", zipCode: "10001-1234", city: "New York", country: "US", state: "NY"),
            notificationEmail: "noc@acme.example",
            agent: "Jo",
            agentEmail: "jo@acme.example",
            customerContractingEntity: "Acme LLC",
            vendorInfo: VendorInfo(accountId: "V1", fields: ["a", nil, "c", nil, nil, nil, nil, nil, "i"]),
            billingInfo: ContactPerson(firstName: "Bill", lastName: "Ing", email: "billing@acme.example", phone: "+1 555 666 7777"),
            technicalContactInfo: ContactPerson(email: "tech@acme.example"),
            primaryServiceAddress: PostalAddress(zipCode: "K1A 0B1", city: "Ottawa", country: "CA", state: "ON"),
            routingProfileAccountId: "RP-1",
            domesticDIDProviders: [DIDProvider(providerName: "Carrier A", didCarrier: "A", e911Provider: "E")],
            internationalDIDProviders: [DIDProvider(providerName: "Carrier B", country: "GB")],
            msTeamsTenantId: "0f8fad5b-d9cb-469f-a165-70867728950e",
            zoomAccountId: "zoom-1"
        )
        #expect(AccountRules.validate(profile: profile, kind: .customer, fieldPrefix: "customerAccount").isEmpty)
    }

    @Test("empty strings count as absent")
    func emptyStringsAbsent() {
        let profile = AccountProfile(
            companyName: "Acme",
            address: PostalAddress(zipCode: "", country: "", state: ""),
            notificationEmail: "",
            msTeamsTenantId: ""
        )
        #expect(AccountRules.validate(profile: profile, kind: .reseller, fieldPrefix: "resellerAccount").isEmpty)
    }

    // MARK: - Field paths

    @Test("flattened address paths")
    func flattenedAddressPaths() {
        let profile = AccountProfile(companyName: "Acme", address: PostalAddress(zipCode: "ABCDE", country: "US", state: "ZZ"))
        let errors = AccountRules.validate(profile: profile, kind: .reseller, fieldPrefix: "resellerAccount")
        #expect(fields(errors) == ["resellerAccount.state", "resellerAccount.zipCode"])
    }

    @Test("primary service address paths")
    func primaryServiceAddressPaths() {
        let profile = AccountProfile(companyName: "Acme", primaryServiceAddress: PostalAddress(zipCode: "1234", country: "CA", state: "NY"))
        let errors = AccountRules.validate(profile: profile, kind: .customer, fieldPrefix: "customerAccount")
        #expect(fields(errors) == ["customerAccount.primaryServiceAddress.state", "customerAccount.primaryServiceAddress.zipCode"])
    }

    @Test("invalid country skips state checks")
    func invalidCountrySkipsState() {
        let profile = AccountProfile(companyName: "Acme", address: PostalAddress(zipCode: "abc", country: "usa", state: "XX"))
        let errors = AccountRules.validate(profile: profile, kind: .reseller, fieldPrefix: "resellerAccount")
        #expect(fields(errors) == ["resellerAccount.country"])
    }

    @Test("email field paths")
    func emailFieldPaths() {
        let profile = AccountProfile(
            companyName: "Acme",
            notificationEmail: "bad",
            agentEmail: "bad",
            billingInfo: ContactPerson(email: "bad"),
            technicalContactInfo: ContactPerson(email: "bad")
        )
        let errors = AccountRules.validate(profile: profile, kind: .customer, fieldPrefix: "customerAccount")
        #expect(
            fields(errors) == [
                "customerAccount.notificationEmail",
                "customerAccount.agentEmail",
                "customerAccount.billingInfo.email",
                "customerAccount.technicalContactInfo.email",
            ])
    }

    @Test("email with control gets one error")
    func emailWithControl() {
        let profile = AccountProfile(companyName: "Acme", notificationEmail: "a@b.com\r\nBcc: x@y.com")
        let errors = AccountRules.validate(profile: profile, kind: .reseller, fieldPrefix: "resellerAccount")
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("control character") == true)
    }

    @Test("vendor field paths")
    func vendorFieldPaths() {
        var fieldsValues: [String?] = Array(repeating: nil, count: 9)
        fieldsValues[2] = String(repeating: "v", count: 256)
        let profile = AccountProfile(companyName: "Acme", vendorInfo: VendorInfo(profileName: "bad\u{7}", fields: fieldsValues))
        let errors = AccountRules.validate(profile: profile, kind: .customer, fieldPrefix: "customerAccount")
        #expect(fields(errors) == ["customerAccount.vendorInfo.profileName", "customerAccount.vendorInfo.vendorField3"])
    }

    @Test("DID provider paths")
    func providerPaths() {
        let profile = AccountProfile(
            companyName: "Acme",
            domesticDIDProviders: [DIDProvider(providerName: "ok"), DIDProvider(providerName: "bad\n")],
            internationalDIDProviders: [DIDProvider(country: "GB"), DIDProvider(country: "XX")]
        )
        let errors = AccountRules.validate(profile: profile, kind: .customer, fieldPrefix: "customerAccount")
        #expect(
            fields(errors) == [
                "customerAccount.domesticDIDProvider[1].providerName", "customerAccount.internationalDIDProvider[1].country",
            ])
    }

    @Test("free text fields checked")
    func freeTextFieldsChecked() {
        let long = String(repeating: "x", count: 300)
        let profile = AccountProfile(
            companyName: long,
            address: PostalAddress(streetNumber: long, streetName: long, city: long),
            agent: long, customerContractingEntity: long, endCustomerName: long, fqdnId: long,
            serviceId: long, plan: long, orderType: long, role: long,
            billingInfo: ContactPerson(firstName: long, lastName: long, phone: long),
            routingProfileAccountId: long, zoomAccountId: long
        )
        let errors = AccountRules.validate(profile: profile, kind: .customer, fieldPrefix: "customerAccount")
        #expect(
            fields(errors) == [
                "customerAccount.streetNumber",
                "customerAccount.streetName",
                "customerAccount.city",
                "customerAccount.companyName",
                "customerAccount.agent",
                "customerAccount.customerContractingEntity",
                "customerAccount.endCustomerName",
                "customerAccount.fqdnId",
                "customerAccount.serviceId",
                "customerAccount.plan",
                "customerAccount.orderType",
                "customerAccount.role",
                "customerAccount.billingInfo.firstName",
                "customerAccount.billingInfo.lastName",
                "customerAccount.billingInfo.phone",
                "customerAccount.routingProfile.accountId",
                "customerAccount.zoomAccountId",
            ])
    }

    @Test("tenant id checked")
    func tenantIDChecked() {
        let profile = AccountProfile(companyName: "Acme", msTeamsTenantId: "not-a-guid")
        let errors = AccountRules.validate(profile: profile, kind: .customer, fieldPrefix: "customerAccount")
        #expect(fields(errors) == ["customerAccount.msTeamsTenantId"])
    }

    @Test("empty prefix has no dot")
    func emptyPrefix() {
        let errors = AccountRules.validate(profile: AccountProfile(), kind: .reseller, fieldPrefix: "")
        #expect(fields(errors) == ["companyName"])
    }

    // MARK: - Logins

    @Test("valid login passes")
    func validLogin() {
        let login = LoginDraft(userName: "jdoe", password: "correct horse battery", email: "j@x.example")
        #expect(AccountRules.validate(login: login, fieldPrefix: "loginInformation[0]", requirePassword: true).isEmpty)
    }

    @Test("login needs userName and password")
    func loginRequired() {
        let errors = AccountRules.validate(login: LoginDraft(), fieldPrefix: "loginInformation[0]", requirePassword: true)
        #expect(
            errors == [
                FieldError(field: "loginInformation[0].userName", message: "userName is missing; every login needs a username"),
                FieldError(field: "loginInformation[0].password", message: "password is missing; a new login needs a password"),
            ])
    }

    @Test("update keeps missing password")
    func loginUpdateWithoutPassword() {
        let errors = AccountRules.validate(login: LoginDraft(userName: "jdoe"), fieldPrefix: "loginInformation[1]", requirePassword: false)
        #expect(errors.isEmpty)
    }

    @Test("login field formats")
    func loginFieldFormats() {
        let login = LoginDraft(userName: "j d", password: "short", firstName: "a\tb", email: "nope", phoneNumber: "1\n2")
        let errors = AccountRules.validate(login: login, fieldPrefix: "loginInformation[2]", requirePassword: true)
        #expect(
            fields(errors) == [
                "loginInformation[2].userName",
                "loginInformation[2].password",
                "loginInformation[2].firstName",
                "loginInformation[2].email",
                "loginInformation[2].phoneNumber",
            ])
    }

    // MARK: - Modules

    @Test("child modules within parent pass")
    func modulesWithinParent() {
        let errors = AccountRules.validate(
            modules: Modules(did: true), parentModules: Modules(did: true, msteam: true), fieldPrefix: "customerAccount.modulesAccess")
        #expect(errors.isEmpty)
    }

    @Test("extra child modules rejected")
    func modulesBeyondParent() {
        let errors = AccountRules.validate(
            modules: Modules(did: true, msteam: true, stats: true), parentModules: Modules(did: true),
            fieldPrefix: "customerAccount.modulesAccess")
        #expect(fields(errors) == ["customerAccount.modulesAccess.msteam", "customerAccount.modulesAccess.stats"])
        #expect(
            errors.first?.message
                == "the parent account does not have the msteam module; set msteam to false or enable it on the parent first")
    }
}

@Suite("Modules")
struct ModulesTests {
    @Test("subset of parent")
    func subset() {
        #expect(Modules.none.isSubset(of: .none))
        #expect(Modules(did: true).isSubset(of: .all))
        #expect(Modules.all.isSubset(of: .all))
        #expect(!Modules(ucaas: true).isSubset(of: Modules(did: true)))
        #expect(!Modules.all.isSubset(of: .none))
    }

    @Test("missing lists wire names in order")
    func missingNames() {
        #expect(Modules.all.missing(from: .none) == ["did", "msteam", "ucaas", "enhancedServices", "stats"])
        #expect(Modules(enhancedServices: true, stats: true).missing(from: Modules(stats: true)) == ["enhancedServices"])
        #expect(Modules(did: true).missing(from: .all).isEmpty)
    }

    @Test("enabled wire names")
    func enabledNames() {
        #expect(Modules(did: true, ucaas: true).enabledWireNames == ["did", "ucaas"])
        #expect(Modules.none.enabledWireNames.isEmpty)
    }
}
