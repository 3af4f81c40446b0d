import NumberlineCore
import Testing

@testable import NumberlineStore

@Suite struct SQLiteStoreAccountTests {
    @Test func profileRoundTrip() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let modules = Modules(did: true, msteam: false, ucaas: true, enhancedServices: false, stats: true)
            let profile = fullProfile(tag: "r")
            let created = try await store.createAccount(
                NewAccount(instanceID: instance.id, kind: .reseller, parentID: nil, modules: modules, profile: profile),
                logins: []
            )

            #expect(created.profile == profile)
            #expect(created.modules == modules)
            let read = try await store.account(id: created.id, instanceID: instance.id)
            #expect(read == created)
            #expect(read?.profile.domesticDIDProviders.count == 2)
            #expect(read?.profile.domesticDIDProviders.last?.didCarrier == nil)
            #expect(read?.profile.domesticDIDProviders.last?.e911Provider == "")
            #expect(read?.profile.internationalDIDProviders.first?.country == "GB")
        }
    }

    @Test func profileFieldsLandInNamedColumns() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let created = try await store.createAccount(
                NewAccount(instanceID: instance.id, kind: .reseller, parentID: nil, modules: .none, profile: fullProfile(tag: "c")),
                logins: []
            )
            let expected: [(column: String, value: String)] =
                [
                    ("company_name", "c-company"),
                    ("address_street_number", "c-a-number"), ("address_street_name", "c-a-street"),
                    ("address_zip_code", "c-a-zip"), ("address_city", "c-a-city"),
                    ("address_country", "c-a-country"), ("address_state", "c-a-state"),
                    ("notification_email", "c-notify@example.com"), ("agent", "c-agent"), ("agent_email", "c-agent@example.com"),
                    ("customer_contracting_entity", "c-entity"), ("end_customer_name", "c-end-customer"),
                    ("fqdn_id", "c-fqdn"), ("service_id", "c-service"), ("plan", "c-plan"),
                    ("order_type", "c-order-type"), ("role", "c-role"),
                    ("vendor_account_id", "c-vendor-account"), ("vendor_product_code", "c-product"),
                    ("vendor_profile_name", "c-profile"),
                    ("billing_first_name", "c-b-first"), ("billing_last_name", "c-b-last"),
                    ("billing_email", "c-b@example.com"), ("billing_phone", "c-b-phone"),
                    ("technical_first_name", "c-t-first"), ("technical_last_name", "c-t-last"),
                    ("technical_email", "c-t@example.com"), ("technical_phone", "c-t-phone"),
                    ("primary_service_street_number", "c-s-number"), ("primary_service_street_name", "c-s-street"),
                    ("primary_service_zip_code", "c-s-zip"), ("primary_service_city", "c-s-city"),
                    ("primary_service_country", "c-s-country"), ("primary_service_state", "c-s-state"),
                    ("routing_profile_account_id", "c-routing"), ("ms_teams_tenant_id", "c-tenant"),
                    ("zoom_account_id", "c-zoom"),
                ] + (1...9).map { ("vendor_field_\($0)", "c-vendor-field-\($0)") }

            for (column, value) in expected {
                let stored = try await store.read { db in
                    try db.queryFirst("SELECT \(column) FROM accounts WHERE id = ?", [.integer(created.id)]) { $0.text(0) }
                }
                #expect(stored == value, "column \(column)")
            }
        }
    }

    @Test func nilAndEmptyFieldsStayApart() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            var profile = AccountProfile(companyName: "", notificationEmail: nil, agent: "")
            profile.vendorInfo.fields[0] = ""
            profile.vendorInfo.fields[8] = "ninth"
            profile.billingInfo.email = ""
            profile.primaryServiceAddress.state = ""
            let created = try await store.createAccount(
                NewAccount(instanceID: instance.id, kind: .reseller, parentID: nil, modules: .none, profile: profile),
                logins: []
            )
            let read = try #require(try await store.account(id: created.id, instanceID: instance.id))

            #expect(read.profile == profile)
            #expect(read.profile.companyName == "")
            #expect(read.profile.notificationEmail == nil)
            #expect(read.profile.vendorInfo.fields[0] == "")
            #expect(read.profile.vendorInfo.fields[1] == nil)
            #expect(read.profile.vendorInfo.fields[8] == "ninth")
            #expect(read.profile.billingInfo.email == "")
            #expect(read.profile.billingInfo.phone == nil)
            #expect(read.profile.primaryServiceAddress.state == "")
            #expect(read.profile.domesticDIDProviders == [])
            #expect(read.modules == .none)
        }
    }

    @Test func nestedPathsAndReseller() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "shop")
            let customer = try await store.makeChild(of: reseller, username: "acme")
            let subCustomer = try await store.makeChild(of: customer, username: "acme-east")
            let user = try await store.makeChild(of: subCustomer, kind: .user, username: "clerk")

            #expect(reseller.path == "/\(reseller.id)/")
            #expect(reseller.resellerID == reseller.id)
            #expect(reseller.parentID == nil)
            #expect(customer.path == "/\(reseller.id)/\(customer.id)/")
            #expect(customer.resellerID == reseller.id)
            #expect(customer.parentID == reseller.id)
            #expect(subCustomer.path == "/\(reseller.id)/\(customer.id)/\(subCustomer.id)/")
            #expect(subCustomer.resellerID == reseller.id)
            #expect(user.path == "/\(reseller.id)/\(customer.id)/\(subCustomer.id)/\(user.id)/")
            #expect(user.kind == .user)
            #expect(try await store.logins(accountID: customer.id).map(\.username) == ["acme"])
        }
    }

    @Test func createChecksParentAndKind() async throws {
        try await withTemporaryStore { store in
            let alpha = try await store.createInstance(name: "alpha")
            let beta = try await store.createInstance(name: "beta")
            let reseller = try await store.makeReseller(instanceID: alpha.id, username: "shop", modules: Modules(did: true))
            let user = try await store.makeChild(of: reseller, kind: .user, username: "clerk", modules: Modules(did: true))

            await #expect(throws: StoreError.notFound) {
                try await store.createAccount(
                    NewAccount(instanceID: beta.id, kind: .customer, parentID: reseller.id, modules: .none, profile: AccountProfile()),
                    logins: []
                )
            }
            await #expect(throws: StoreError.notFound) {
                try await store.createAccount(
                    NewAccount(instanceID: 9_999, kind: .reseller, parentID: nil, modules: .none, profile: AccountProfile()),
                    logins: []
                )
            }
            await #expect(throws: StoreError.self) {
                try await store.createAccount(
                    NewAccount(instanceID: alpha.id, kind: .reseller, parentID: reseller.id, modules: .none, profile: AccountProfile()),
                    logins: []
                )
            }
            await #expect(throws: StoreError.self) {
                try await store.createAccount(
                    NewAccount(instanceID: alpha.id, kind: .customer, parentID: nil, modules: .none, profile: AccountProfile()),
                    logins: []
                )
            }
            await #expect(throws: StoreError.self) {
                try await store.makeChild(of: user, username: "below-user", modules: .none)
            }
            await #expect(
                throws: StoreError.conflict(
                    reason: "parent account \(reseller.id) lacks module(s) msteam, stats, so its child cannot have them")
            ) {
                try await store.makeChild(of: reseller, username: "greedy", modules: Modules(did: true, msteam: true, stats: true))
            }
            #expect(try await store.accounts(instanceID: alpha.id, pathPrefix: "/", kind: nil).map(\.id) == [reseller.id, user.id])
        }
    }

    @Test func subtreeListingByPrefixAndKind() async throws {
        try await withTemporaryStore { store in
            let alpha = try await store.createInstance(name: "alpha")
            let beta = try await store.createInstance(name: "beta")
            let first = try await store.makeReseller(instanceID: alpha.id, username: "r1")
            let second = try await store.makeReseller(instanceID: alpha.id, username: "r2")
            let customerA = try await store.makeChild(of: first, username: "c1a")
            let customerB = try await store.makeChild(of: second, username: "c2a")
            let nested = try await store.makeChild(of: customerA, username: "c1a-sub")
            let user = try await store.makeChild(of: customerA, kind: .user, username: "u1")
            let foreign = try await store.makeReseller(instanceID: beta.id, username: "r-beta")

            let all = try await store.accounts(instanceID: alpha.id, pathPrefix: "/", kind: nil)
            #expect(all.map(\.id) == [first.id, second.id, customerA.id, customerB.id, nested.id, user.id])

            let resellers = try await store.accounts(instanceID: alpha.id, pathPrefix: "/", kind: .reseller)
            #expect(resellers.map(\.id) == [first.id, second.id])

            let firstTree = try await store.accounts(instanceID: alpha.id, pathPrefix: first.path, kind: nil)
            #expect(firstTree.map(\.id) == [first.id, customerA.id, nested.id, user.id])

            let firstCustomers = try await store.accounts(instanceID: alpha.id, pathPrefix: first.path, kind: .customer)
            #expect(firstCustomers.map(\.id) == [customerA.id, nested.id])

            let underA = try await store.accounts(instanceID: alpha.id, pathPrefix: customerA.path, kind: .user)
            #expect(underA.map(\.id) == [user.id])

            #expect(try await store.accounts(instanceID: beta.id, pathPrefix: "/", kind: nil).map(\.id) == [foreign.id])
            #expect(try await store.accounts(instanceID: alpha.id, pathPrefix: foreign.path, kind: nil) == [])
            #expect(try await store.account(id: foreign.id, instanceID: alpha.id) == nil)
        }
    }

    @Test func prefixDoesNotMatchLongerSiblingId() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            // Ids 1 … 12: the reseller with id 1 must not list the one with id 10, 11 or 12.
            var resellers: [Account] = []
            for index in 1...12 {
                resellers.append(try await store.makeReseller(instanceID: instance.id, username: "r\(index)"))
            }
            let one = try #require(resellers.first { $0.id == 1 })
            let listed = try await store.accounts(instanceID: instance.id, pathPrefix: one.path, kind: nil)
            #expect(listed.map(\.id) == [1])
        }
    }

    @Test func removedModuleCascadesToSubtree() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "shop")
            let customer = try await store.makeChild(of: reseller, username: "acme")
            let nested = try await store.makeChild(of: customer, username: "acme-east", modules: Modules(did: true, msteam: true))
            let sibling = try await store.makeChild(of: reseller, username: "other")

            var changed = customer
            changed.modules = Modules(did: true, msteam: false, ucaas: true, enhancedServices: false, stats: true)
            changed.profile.companyName = "Acme Ltd"
            try await store.updateAccount(changed, logins: .keep)

            let readCustomer = try #require(try await store.account(id: customer.id, instanceID: instance.id))
            #expect(readCustomer.modules == changed.modules)
            #expect(readCustomer.profile.companyName == "Acme Ltd")

            let readNested = try #require(try await store.account(id: nested.id, instanceID: instance.id))
            #expect(readNested.modules == Modules(did: true))

            #expect(try await store.account(id: reseller.id, instanceID: instance.id)?.modules == .all)
            #expect(try await store.account(id: sibling.id, instanceID: instance.id)?.modules == .all)
        }
    }

    @Test func updateIgnoresTreeFieldsAndRejectsGrant() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "shop", modules: Modules(did: true))
            let customer = try await store.makeChild(of: reseller, username: "acme", modules: Modules(did: true))

            var moved = customer
            moved.path = "/999/"
            moved.resellerID = 999
            moved.profile = fullProfile(tag: "u")
            try await store.updateAccount(moved, logins: .keep)
            let read = try #require(try await store.account(id: customer.id, instanceID: instance.id))
            #expect(read.path == customer.path)
            #expect(read.resellerID == reseller.id)
            #expect(read.profile == fullProfile(tag: "u"))

            var emptied = read
            emptied.profile = AccountProfile()
            try await store.updateAccount(emptied, logins: .keep)
            #expect(try await store.account(id: customer.id, instanceID: instance.id)?.profile == AccountProfile())

            var greedy = customer
            greedy.modules = .all
            await #expect(throws: StoreError.self) {
                try await store.updateAccount(greedy, logins: .keep)
            }
            #expect(try await store.account(id: customer.id, instanceID: instance.id)?.modules == Modules(did: true))

            var missing = customer
            missing.id = 9_999
            await #expect(throws: StoreError.notFound) {
                try await store.updateAccount(missing, logins: .keep)
            }
        }
    }

    @Test func loginReplaceRevokesTokens() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "shop")
            let customer = try await store.createAccount(
                NewAccount(instanceID: instance.id, kind: .customer, parentID: reseller.id, modules: .none, profile: AccountProfile()),
                logins: [
                    NewLogin(username: "keep", passwordHash: "h-keep", firstName: "Kim"),
                    NewLogin(username: "rehash", passwordHash: "h-old"),
                    NewLogin(username: "gone", passwordHash: "h-gone"),
                ]
            )
            let before = try await store.logins(accountID: customer.id)
            #expect(before.map(\.username) == ["keep", "rehash", "gone"])
            for login in before {
                try await store.storeToken(
                    AccessTokenRecord(tokenHash: "t-\(login.username)", instanceID: instance.id, loginID: login.id, expiresAt: 10_000)
                )
            }

            try await store.updateAccount(
                customer,
                logins: .replace([
                    LoginChange(username: "keep", passwordHash: nil, firstName: "Kim", lastName: "Lee"),
                    LoginChange(username: "rehash", passwordHash: "h-new"),
                    LoginChange(username: "fresh", passwordHash: "h-fresh", email: "fresh@example.com"),
                ])
            )

            let after = try await store.logins(accountID: customer.id)
            #expect(after.map(\.username) == ["keep", "rehash", "fresh"])
            #expect(after[0].id == before[0].id)
            #expect(after[0].passwordHash == "h-keep")
            #expect(after[0].lastName == "Lee")
            #expect(after[1].id == before[1].id)
            #expect(after[1].passwordHash == "h-new")
            #expect(after[2].email == "fresh@example.com")
            #expect(try await store.login(id: before[2].id) == nil)

            #expect(try await store.validToken(tokenHash: "t-keep", now: 0) != nil)
            #expect(try await store.validToken(tokenHash: "t-rehash", now: 0) == nil)
            #expect(try await store.validToken(tokenHash: "t-gone", now: 0) == nil)
        }
    }

    @Test func loginReplaceFailureChangesNothing() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "shop")
            let customer = try await store.makeChild(of: reseller, username: "acme")
            let login = try #require(try await store.logins(accountID: customer.id).first)
            try await store.storeToken(AccessTokenRecord(tokenHash: "t", instanceID: instance.id, loginID: login.id, expiresAt: 10))

            var renamed = customer
            renamed.profile.companyName = "Renamed"
            // "shop" belongs to the reseller, so the whole update must roll back.
            await #expect(throws: StoreError.duplicate(field: "username", value: "shop")) {
                try await store.updateAccount(renamed, logins: .replace([LoginChange(username: "shop", passwordHash: "h")]))
            }
            await #expect(throws: StoreError.self) {
                try await store.updateAccount(renamed, logins: .replace([LoginChange(username: "new", passwordHash: nil)]))
            }
            await #expect(throws: StoreError.duplicate(field: "username", value: "twice")) {
                try await store.updateAccount(
                    renamed,
                    logins: .replace([LoginChange(username: "twice", passwordHash: "a"), LoginChange(username: "twice", passwordHash: "b")])
                )
            }

            #expect(try await store.account(id: customer.id, instanceID: instance.id)?.profile.companyName == nil)
            #expect(try await store.logins(accountID: customer.id) == [login])
            #expect(try await store.validToken(tokenHash: "t", now: 0) != nil)
        }
    }

    @Test func deleteBlockedByHeldNumber() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "shop")
            let customer = try await store.makeChild(of: reseller, username: "acme")
            let nested = try await store.makeChild(of: customer, username: "acme-east")
            try await store.insertHeldNumber("15556667777", instanceID: instance.id, accountID: nested.id)
            try await store.insertHeldNumber("15556667778", instanceID: instance.id, accountID: nested.id)

            #expect(try await store.numbersHeld(instanceID: instance.id, pathPrefix: reseller.path) == 2)
            #expect(try await store.numbersHeld(instanceID: instance.id, pathPrefix: nested.path) == 2)
            await #expect(
                throws: StoreError.conflict(
                    reason: "account \(reseller.id) and its subtree hold 2 telephone number(s); release or move them first"
                )
            ) {
                try await store.deleteAccount(id: reseller.id, instanceID: instance.id)
            }
            await #expect(throws: StoreError.self) {
                try await store.deleteAccount(id: customer.id, instanceID: instance.id)
            }
            #expect(try await store.accounts(instanceID: instance.id, pathPrefix: "/", kind: nil).count == 3)
            #expect(try await store.login(instanceID: instance.id, username: "acme-east") != nil)
        }
    }

    @Test func deleteRemovesSubtreeLoginsAndTokens() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "shop")
            let customer = try await store.createAccount(
                NewAccount(instanceID: instance.id, kind: .customer, parentID: reseller.id, modules: .all, profile: fullProfile()),
                logins: [NewLogin(username: "acme", passwordHash: "h")]
            )
            let nested = try await store.makeChild(of: customer, username: "acme-east")
            let sibling = try await store.makeChild(of: reseller, username: "other")
            try await store.insertHeldNumber("15550000001", instanceID: instance.id, accountID: sibling.id)
            let nestedLogin = try #require(try await store.login(instanceID: instance.id, username: "acme-east"))
            let siblingLogin = try #require(try await store.login(instanceID: instance.id, username: "other"))
            try await store.storeToken(
                AccessTokenRecord(tokenHash: "nested", instanceID: instance.id, loginID: nestedLogin.id, expiresAt: 10))
            try await store.storeToken(
                AccessTokenRecord(tokenHash: "sibling", instanceID: instance.id, loginID: siblingLogin.id, expiresAt: 10))

            try await store.deleteAccount(id: customer.id, instanceID: instance.id)

            #expect(try await store.account(id: customer.id, instanceID: instance.id) == nil)
            #expect(try await store.account(id: nested.id, instanceID: instance.id) == nil)
            #expect(try await store.login(instanceID: instance.id, username: "acme") == nil)
            #expect(try await store.login(id: nestedLogin.id) == nil)
            #expect(try await store.validToken(tokenHash: "nested", now: 0) == nil)
            #expect(try await store.validToken(tokenHash: "sibling", now: 0) != nil)
            #expect(try await store.accounts(instanceID: instance.id, pathPrefix: "/", kind: nil).map(\.id) == [reseller.id, sibling.id])

            await #expect(throws: StoreError.notFound) {
                try await store.deleteAccount(id: customer.id, instanceID: instance.id)
            }
            await #expect(throws: StoreError.notFound) {
                try await store.deleteAccount(id: reseller.id, instanceID: 9_999)
            }
        }
    }

    @Test func deletedIdIsNotReused() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "shop")
            try await store.deleteAccount(id: reseller.id, instanceID: instance.id)
            let next = try await store.makeReseller(instanceID: instance.id, username: "shop")
            #expect(next.id == reseller.id + 1)
        }
    }

    @Test func concurrentCreatesGetUniqueIds() async throws {
        try await withTemporaryStore { store in
            let instance = try await store.createInstance(name: "alpha")
            let reseller = try await store.makeReseller(instanceID: instance.id, username: "shop")

            let ids = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for task in 0..<8 {
                    group.addTask {
                        var ids: [Int64] = []
                        for index in 0..<50 {
                            let account = try await store.makeChild(of: reseller, username: "t\(task)-\(index)")
                            ids.append(account.id)
                        }
                        return ids
                    }
                }
                var all: [Int64] = []
                for try await ids in group {
                    all += ids
                }
                return all
            }

            #expect(ids.count == 400)
            #expect(Set(ids).count == 400)
            let customers = try await store.accounts(instanceID: instance.id, pathPrefix: reseller.path, kind: .customer)
            #expect(customers.count == 400)
            #expect(customers.allSatisfy { $0.path == "\(reseller.path)\($0.id)/" })
        }
    }
}
