/// The kind of an account in the tree; raw values are the wire spelling of `accountType`.
public enum AccountKind: String, Sendable, CaseIterable {
    case reseller = "Reseller"
    case customer = "Customer"
    case user = "User"
}

/// The API sections an account may use. A child never holds a module its parent lacks.
public struct Modules: Sendable, Equatable, Hashable {
    public var did: Bool
    public var msteam: Bool
    public var ucaas: Bool
    public var enhancedServices: Bool
    public var stats: Bool

    public init(did: Bool = false, msteam: Bool = false, ucaas: Bool = false, enhancedServices: Bool = false, stats: Bool = false) {
        self.did = did
        self.msteam = msteam
        self.ucaas = ucaas
        self.enhancedServices = enhancedServices
        self.stats = stats
    }

    public static let all = Modules(did: true, msteam: true, ucaas: true, enhancedServices: true, stats: true)
    public static let none = Modules()
}

/// A postal address as the reference spells it for accounts (`zipCode`, `state`).
public struct PostalAddress: Sendable, Equatable {
    public var streetNumber: String?
    public var streetName: String?
    public var zipCode: String?
    public var city: String?
    public var country: String?
    public var state: String?

    public init(
        streetNumber: String? = nil, streetName: String? = nil, zipCode: String? = nil, city: String? = nil, country: String? = nil,
        state: String? = nil
    ) {
        self.streetNumber = streetNumber
        self.streetName = streetName
        self.zipCode = zipCode
        self.city = city
        self.country = country
        self.state = state
    }
}

/// A billing or technical contact.
public struct ContactPerson: Sendable, Equatable {
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var phone: String?

    public init(firstName: String? = nil, lastName: String? = nil, email: String? = nil, phone: String? = nil) {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
    }
}

/// Free-form fields a reseller keeps about its upstream vendor account.
public struct VendorInfo: Sendable, Equatable {
    public var accountId: String?
    public var productCode: String?
    public var profileName: String?
    /// `vendorField1` … `vendorField9`, always nine entries.
    public var fields: [String?]

    public init(
        accountId: String? = nil, productCode: String? = nil, profileName: String? = nil,
        fields: [String?] = Array(repeating: nil, count: 9)
    ) {
        precondition(fields.count == 9, "VendorInfo has exactly nine vendor fields")
        self.accountId = accountId
        self.productCode = productCode
        self.profileName = profileName
        self.fields = fields
    }
}

/// A DID provider entry; `country` is set only for international providers.
public struct DIDProvider: Sendable, Equatable {
    public var providerName: String?
    public var didCarrier: String?
    public var e911Provider: String?
    public var country: String?

    public init(providerName: String? = nil, didCarrier: String? = nil, e911Provider: String? = nil, country: String? = nil) {
        self.providerName = providerName
        self.didCarrier = didCarrier
        self.e911Provider = e911Provider
        self.country = country
    }
}

/// Everything about an account that is not its place in the tree: the reference's descriptive fields.
public struct AccountProfile: Sendable, Equatable {
    public var companyName: String?
    public var address: PostalAddress
    public var notificationEmail: String?
    public var agent: String?
    public var agentEmail: String?
    // Customer-only fields.
    public var customerContractingEntity: String?
    public var endCustomerName: String?
    public var fqdnId: String?
    public var serviceId: String?
    public var plan: String?
    public var orderType: String?
    public var role: String?
    // Nested objects.
    public var vendorInfo: VendorInfo
    public var billingInfo: ContactPerson
    public var technicalContactInfo: ContactPerson
    public var primaryServiceAddress: PostalAddress
    public var routingProfileAccountId: String?
    public var domesticDIDProviders: [DIDProvider]
    public var internationalDIDProviders: [DIDProvider]
    // Provisioning links.
    /// Microsoft 365 tenant id (a GUID) that makes a customer Teams-enabled.
    public var msTeamsTenantId: String?
    /// Zoom account the customer's numbers are peered to.
    public var zoomAccountId: String?

    public init(
        companyName: String? = nil, address: PostalAddress = PostalAddress(), notificationEmail: String? = nil,
        agent: String? = nil, agentEmail: String? = nil, customerContractingEntity: String? = nil,
        endCustomerName: String? = nil, fqdnId: String? = nil, serviceId: String? = nil, plan: String? = nil,
        orderType: String? = nil, role: String? = nil, vendorInfo: VendorInfo = VendorInfo(),
        billingInfo: ContactPerson = ContactPerson(), technicalContactInfo: ContactPerson = ContactPerson(),
        primaryServiceAddress: PostalAddress = PostalAddress(), routingProfileAccountId: String? = nil,
        domesticDIDProviders: [DIDProvider] = [], internationalDIDProviders: [DIDProvider] = [],
        msTeamsTenantId: String? = nil, zoomAccountId: String? = nil
    ) {
        self.companyName = companyName
        self.address = address
        self.notificationEmail = notificationEmail
        self.agent = agent
        self.agentEmail = agentEmail
        self.customerContractingEntity = customerContractingEntity
        self.endCustomerName = endCustomerName
        self.fqdnId = fqdnId
        self.serviceId = serviceId
        self.plan = plan
        self.orderType = orderType
        self.role = role
        self.vendorInfo = vendorInfo
        self.billingInfo = billingInfo
        self.technicalContactInfo = technicalContactInfo
        self.primaryServiceAddress = primaryServiceAddress
        self.routingProfileAccountId = routingProfileAccountId
        self.domesticDIDProviders = domesticDIDProviders
        self.internationalDIDProviders = internationalDIDProviders
        self.msTeamsTenantId = msTeamsTenantId
        self.zoomAccountId = zoomAccountId
    }
}

/// An account in an instance's tree.
public struct Account: Sendable, Equatable {
    public var id: Int64
    public var instanceID: Int64
    public var kind: AccountKind
    /// The parent account; `nil` for a reseller, whose parent is the instance itself.
    public var parentID: Int64?
    /// The reseller at the top of this account's branch (the account itself for a reseller).
    public var resellerID: Int64
    /// Materialized ancestry, `/<reseller>/<customer>/…/<self>/`: an account sees another
    /// exactly when the other's path starts with its own.
    public var path: String
    public var modules: Modules
    public var profile: AccountProfile

    public init(
        id: Int64, instanceID: Int64, kind: AccountKind, parentID: Int64?, resellerID: Int64, path: String, modules: Modules,
        profile: AccountProfile
    ) {
        self.id = id
        self.instanceID = instanceID
        self.kind = kind
        self.parentID = parentID
        self.resellerID = resellerID
        self.path = path
        self.modules = modules
        self.profile = profile
    }
}

/// A login: a username and password that acts for one account, or for the whole instance
/// when it belongs to a platform admin (`accountID == nil`).
public struct Login: Sendable, Equatable {
    public var id: Int64
    public var instanceID: Int64
    public var accountID: Int64?
    public var username: String
    /// Argon2id hash in libsodium's `crypto_pwhash_str` format; never leaves the server.
    public var passwordHash: String
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var phoneNumber: String?

    public init(
        id: Int64, instanceID: Int64, accountID: Int64?, username: String, passwordHash: String, firstName: String? = nil,
        lastName: String? = nil, email: String? = nil, phoneNumber: String? = nil
    ) {
        self.id = id
        self.instanceID = instanceID
        self.accountID = accountID
        self.username = username
        self.passwordHash = passwordHash
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phoneNumber = phoneNumber
    }

    public var isPlatformAdmin: Bool { accountID == nil }
}

/// A platform instance: the root of one account tree (`instance` query parameter).
public struct Instance: Sendable, Equatable {
    public var id: Int64
    public var name: String

    public init(id: Int64, name: String) {
        self.id = id
        self.name = name
    }
}
