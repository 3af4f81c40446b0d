/// One schema change, applied once in its own transaction and recorded in `schema_migrations`.
struct Migration: Sendable {
    var version: Int
    var sql: String
}

/// The schema history, oldest first. Never edit an applied migration: append a new one.
///
/// The SQL sticks to what PostgreSQL also accepts where that costs nothing, because the
/// PostgreSQL backend keeps a parallel list. SQLite-only parts: `INTEGER PRIMARY KEY` ids
/// (identity columns in PostgreSQL) and `AUTOINCREMENT`, which stops SQLite from giving the
/// id of a deleted account or login to a new row, so a stale id never reaches a stranger's object.
let migrations: [Migration] = [
    Migration(
        version: 1,
        sql: """
            CREATE TABLE instances (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE
            );

            CREATE TABLE api_keys (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                instance_id INTEGER NOT NULL REFERENCES instances (id),
                label TEXT,
                key_hash TEXT NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                revoked_at INTEGER
            );
            CREATE INDEX api_keys_instance ON api_keys (instance_id);

            CREATE TABLE accounts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                instance_id INTEGER NOT NULL REFERENCES instances (id),
                kind TEXT NOT NULL CHECK (kind IN ('Reseller', 'Customer', 'User')),
                parent_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
                reseller_id INTEGER REFERENCES accounts (id),
                path TEXT NOT NULL,
                module_did INTEGER NOT NULL DEFAULT 0,
                module_msteam INTEGER NOT NULL DEFAULT 0,
                module_ucaas INTEGER NOT NULL DEFAULT 0,
                module_enhanced_services INTEGER NOT NULL DEFAULT 0,
                module_stats INTEGER NOT NULL DEFAULT 0,
                company_name TEXT,
                address_street_number TEXT,
                address_street_name TEXT,
                address_zip_code TEXT,
                address_city TEXT,
                address_country TEXT,
                address_state TEXT,
                notification_email TEXT,
                agent TEXT,
                agent_email TEXT,
                customer_contracting_entity TEXT,
                end_customer_name TEXT,
                fqdn_id TEXT,
                service_id TEXT,
                plan TEXT,
                order_type TEXT,
                role TEXT,
                vendor_account_id TEXT,
                vendor_product_code TEXT,
                vendor_profile_name TEXT,
                vendor_field_1 TEXT,
                vendor_field_2 TEXT,
                vendor_field_3 TEXT,
                vendor_field_4 TEXT,
                vendor_field_5 TEXT,
                vendor_field_6 TEXT,
                vendor_field_7 TEXT,
                vendor_field_8 TEXT,
                vendor_field_9 TEXT,
                billing_first_name TEXT,
                billing_last_name TEXT,
                billing_email TEXT,
                billing_phone TEXT,
                technical_first_name TEXT,
                technical_last_name TEXT,
                technical_email TEXT,
                technical_phone TEXT,
                primary_service_street_number TEXT,
                primary_service_street_name TEXT,
                primary_service_zip_code TEXT,
                primary_service_city TEXT,
                primary_service_country TEXT,
                primary_service_state TEXT,
                routing_profile_account_id TEXT,
                ms_teams_tenant_id TEXT,
                zoom_account_id TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE INDEX accounts_instance_path ON accounts (instance_id, path);
            CREATE INDEX accounts_parent ON accounts (parent_id);

            CREATE TABLE account_did_providers (
                account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                scope TEXT NOT NULL CHECK (scope IN ('domestic', 'international')),
                position INTEGER NOT NULL,
                provider_name TEXT,
                did_carrier TEXT,
                e911_provider TEXT,
                country TEXT,
                PRIMARY KEY (account_id, scope, position)
            );

            CREATE TABLE logins (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                instance_id INTEGER NOT NULL REFERENCES instances (id),
                account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
                username TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                first_name TEXT,
                last_name TEXT,
                email TEXT,
                phone_number TEXT,
                UNIQUE (instance_id, username)
            );
            CREATE INDEX logins_account ON logins (account_id);

            CREATE TABLE access_tokens (
                token_hash TEXT PRIMARY KEY,
                instance_id INTEGER NOT NULL REFERENCES instances (id),
                login_id INTEGER NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
                expires_at INTEGER NOT NULL
            );
            CREATE INDEX access_tokens_login ON access_tokens (login_id);
            CREATE INDEX access_tokens_expires_at ON access_tokens (expires_at);

            CREATE TABLE carriers (
                id INTEGER PRIMARY KEY,
                instance_id INTEGER NOT NULL REFERENCES instances (id),
                name TEXT NOT NULL,
                UNIQUE (instance_id, name)
            );

            -- account_id has no ON DELETE action on purpose: an account that still holds
            -- numbers cannot be deleted.
            CREATE TABLE numbers (
                id INTEGER PRIMARY KEY,
                instance_id INTEGER NOT NULL REFERENCES instances (id),
                telephone_number TEXT NOT NULL,
                country TEXT,
                carrier_id INTEGER REFERENCES carriers (id),
                account_id INTEGER REFERENCES accounts (id),
                status TEXT NOT NULL,
                type TEXT,
                sub_type TEXT,
                order_type TEXT,
                route_label TEXT,
                activated_at INTEGER,
                UNIQUE (instance_id, telephone_number)
            );
            CREATE INDEX numbers_account ON numbers (account_id);
            """
    ),
    // The number inventory: validation mode per instance, the holder's reseller on each
    // number for per-reseller listings, and indexes whose last column is the telephone
    // number, so that keyset pages read in index order. numbers_account gives way to an
    // index with the same leading column, which still serves account deletion checks.
    Migration(
        version: 2,
        sql: """
            ALTER TABLE instances ADD COLUMN number_validation TEXT NOT NULL DEFAULT 'possible'
                CHECK (number_validation IN ('possible', 'strict'));

            ALTER TABLE numbers ADD COLUMN reseller_id INTEGER REFERENCES accounts (id);
            ALTER TABLE numbers ADD COLUMN updated_at INTEGER;
            UPDATE numbers SET reseller_id = (SELECT a.reseller_id FROM accounts a WHERE a.id = numbers.account_id);

            DROP INDEX numbers_account;
            CREATE INDEX numbers_account_status ON numbers (account_id, status, telephone_number);
            CREATE INDEX numbers_reseller ON numbers (reseller_id, telephone_number);
            CREATE INDEX numbers_carrier ON numbers (instance_id, carrier_id, telephone_number);
            """
    ),
    Migration(version: 3, sql: featureMigrationSQL),
    // Microsoft Teams users and Zoom peerings.
    // A number serves one user or one peering at a time, which the UNIQUE number_id columns
    // enforce. site_id has no foreign key because sites live in another table set.
    // numbers_account_number pages through one holder's numbers of every status in order.
    Migration(
        version: 4,
        sql: """
            CREATE TABLE teams_users (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                instance_id INTEGER NOT NULL REFERENCES instances (id),
                customer_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                upn TEXT NOT NULL,
                first_name TEXT,
                last_name TEXT,
                note TEXT,
                site_id INTEGER,
                number_id INTEGER NOT NULL UNIQUE REFERENCES numbers (id),
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE UNIQUE INDEX teams_users_customer_upn ON teams_users (customer_id, lower(upn));

            CREATE TABLE zoom_peerings (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                instance_id INTEGER NOT NULL REFERENCES instances (id),
                customer_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                number_id INTEGER NOT NULL UNIQUE REFERENCES numbers (id),
                created_at INTEGER NOT NULL
            );
            CREATE INDEX zoom_peerings_customer ON zoom_peerings (customer_id);

            CREATE INDEX numbers_account_number ON numbers (account_id, telephone_number);
            """
    ),
    // The audit trail: one record per successful mutation, written in the change's own
    // transaction. audit_subjects lists the accounts and numbers each record touches, so the
    // accountId and telephoneNumber filters read an index. Its account_id has no foreign key
    // because records outlive deleted accounts. Listings go newest first by id inside one
    // subtree, which audit_records_path serves.
    Migration(
        version: 5,
        sql: """
            CREATE TABLE audit_records (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                instance_id INTEGER NOT NULL REFERENCES instances (id),
                created_at INTEGER NOT NULL,
                path TEXT NOT NULL,
                login_id INTEGER,
                username TEXT,
                account_id INTEGER,
                request_id TEXT,
                method TEXT,
                route TEXT,
                changes TEXT NOT NULL,
                summary TEXT
            );
            CREATE INDEX audit_records_path ON audit_records (instance_id, path, id);
            CREATE INDEX audit_records_time ON audit_records (instance_id, created_at, id);
            CREATE INDEX audit_records_route ON audit_records (instance_id, route, id);

            CREATE TABLE audit_subjects (
                audit_id INTEGER NOT NULL REFERENCES audit_records (id) ON DELETE CASCADE,
                account_id INTEGER,
                telephone_number TEXT
            );
            CREATE INDEX audit_subjects_audit ON audit_subjects (audit_id);
            CREATE INDEX audit_subjects_account ON audit_subjects (account_id, audit_id);
            CREATE INDEX audit_subjects_number ON audit_subjects (telephone_number, audit_id);
            """
    ),
    Migration(
        version: 6,
        // Failed-login counts, kept in the database so that every node sharing it enforces one limit.
        sql: """
            CREATE TABLE login_throttle (
                key TEXT PRIMARY KEY,
                failures INTEGER NOT NULL,
                first_failure_at INTEGER NOT NULL,
                locked_until INTEGER NOT NULL
            );
            CREATE INDEX login_throttle_first_failure ON login_throttle (first_failure_at);
            """
    ),
]
