import NumberlineCore
import NumberlineStore

/// Demo data for a first run: an instance `demo`, a platform admin, a reseller and two
/// customers with logins, and an API key. The secrets are fixed and public, so the printed
/// walkthrough can be pasted as it is; never use `--demo` on a server others can reach.
public enum DemoData {
    public static let instanceName = "demo"
    public static let apiKey = "demo0000000000000000000000000000"
    public static let adminUsername = "demo-admin"
    public static let resellerUsername = "demo-reseller"
    public static let customerUsernames = ["demo-customer-a", "demo-customer-b"]
    /// Every demo login's password.
    public static let password = "demo-password-2026"

    /// Creates whatever part of the demo data is missing; running it again changes nothing.
    public static func seed(_ store: any Store) async throws {
        Crypto.initialize()
        let instance: Instance
        if let existing = try await store.instance(named: instanceName) {
            instance = existing
        } else {
            instance = try await store.createInstance(name: instanceName)
        }
        if try await store.activeAPIKey(keyHash: Crypto.secretHash(apiKey)) == nil {
            _ = try await store.createAPIKey(
                instanceID: instance.id, label: "demo", keyHash: Crypto.secretHash(apiKey), createdAt: Application.now())
        }
        let hash = Crypto.hashPassword(password)
        if try await store.login(instanceID: instance.id, username: adminUsername) == nil {
            _ = try await store.createAdminLogin(
                instanceID: instance.id, login: NewLogin(username: adminUsername, passwordHash: hash, firstName: "Demo", lastName: "Admin"))
        }
        guard try await store.login(instanceID: instance.id, username: resellerUsername) == nil else { return }

        let reseller = try await store.createAccount(
            NewAccount(
                instanceID: instance.id, kind: .reseller, parentID: nil, modules: .all,
                profile: AccountProfile(
                    companyName: "Demo Telecom Reseller",
                    address: PostalAddress(
                        streetNumber: "100", streetName: "Main Street", zipCode: "27601", city: "Raleigh", country: "US", state: "NC"),
                    notificationEmail: "noc@reseller.example")),
            logins: [
                NewLogin(
                    username: resellerUsername, passwordHash: hash, firstName: "Rita", lastName: "Reseller", email: "rita@reseller.example")
            ])
        let companies = ["Acme Dental", "Blue Ridge Logistics"]
        for (index, username) in customerUsernames.enumerated() {
            _ = try await store.createAccount(
                NewAccount(
                    instanceID: instance.id, kind: .customer, parentID: reseller.id,
                    modules: Modules(did: true, msteam: true, ucaas: true, enhancedServices: true, stats: false),
                    profile: AccountProfile(
                        companyName: companies[index],
                        address: PostalAddress(
                            streetNumber: "\(200 + index)", streetName: "Oak Avenue", zipCode: "27701", city: "Durham", country: "US",
                            state: "NC"))),
                logins: [NewLogin(username: username, passwordHash: hash, firstName: "Casey", lastName: "Customer")])
        }
    }

    /// A curl walkthrough from the token call to the account tree.
    public static func walkthrough(baseURL: String) -> String {
        """
        Demo data is ready in instance "\(instanceName)" (public demo secrets: never expose this server).
          API key:    \(apiKey)
          Logins:     \(adminUsername) (platform admin), \(resellerUsername), \(customerUsernames.joined(separator: ", "))
          Password:   \(password) (all demo logins)

        Try it:
          TOKEN=$(curl -s -X POST \(baseURL)/v1/oauth2/authorize -H 'x-api-key: \(apiKey)' \\
            -d username=\(resellerUsername) -d password=\(password) -d instance=\(instanceName) \\
            | sed -E 's/.*"access_token":"([0-9a-f]+)".*/\\1/')
          curl -s \(baseURL)/v1/accounts -H 'x-api-key: \(apiKey)' -H "x-access-token: $TOKEN"
          curl -s \(baseURL)/v1/accounts/customers -H 'x-api-key: \(apiKey)' -H "x-access-token: $TOKEN"
          curl -s \(baseURL)/v1/openapi.json | head -c 300; echo

        """
    }
}
