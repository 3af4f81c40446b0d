/// Migration 3: per-number features, disaster plans, sites, emergency addresses, and the
/// Teams users' `site_id` (migration 4) is what site deletion checks.
///
/// Feature rows hang off `numbers.id` with `ON DELETE CASCADE`, so a number removed from the
/// inventory takes its features along. Sites and addresses belong to a customer account and
/// go with it. `department_key` is the department name folded to lower case by the server
/// (Unicode-aware, unlike SQLite's ASCII-only NOCASE), which makes names unique per customer
/// in any letter case and works the same in PostgreSQL.
let featureMigrationSQL = """
    CREATE TABLE call_forwardings (
        number_id INTEGER PRIMARY KEY REFERENCES numbers (id) ON DELETE CASCADE,
        forward_to TEXT NOT NULL,
        country_code TEXT,
        updated_at INTEGER NOT NULL
    );

    CREATE TABLE calling_party_numbers (
        number_id INTEGER PRIMARY KEY REFERENCES numbers (id) ON DELETE CASCADE,
        cpn_number TEXT NOT NULL,
        country_code TEXT,
        updated_at INTEGER NOT NULL
    );

    CREATE TABLE caller_names (
        number_id INTEGER PRIMARY KEY REFERENCES numbers (id) ON DELETE CASCADE,
        calling_name TEXT NOT NULL,
        first_name TEXT,
        last_name TEXT,
        business_name TEXT,
        updated_at INTEGER NOT NULL
    );

    CREATE TABLE international_calling (
        number_id INTEGER PRIMARY KEY REFERENCES numbers (id) ON DELETE CASCADE,
        criteria TEXT NOT NULL CHECK (criteria IN ('ALLOW-ALL-INTL', 'BLOCK-ALL-INTL')),
        updated_at INTEGER NOT NULL
    );

    -- plan_number is the six digits of the DAS- id, unique per instance.
    CREATE TABLE disaster_plans (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance_id INTEGER NOT NULL REFERENCES instances (id),
        plan_number INTEGER NOT NULL CHECK (plan_number BETWEEN 1 AND 999999),
        forward_to TEXT NOT NULL,
        country_code TEXT,
        active INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL,
        UNIQUE (instance_id, plan_number)
    );

    CREATE TABLE disaster_plan_numbers (
        number_id INTEGER PRIMARY KEY REFERENCES numbers (id) ON DELETE CASCADE,
        plan_id INTEGER NOT NULL REFERENCES disaster_plans (id) ON DELETE CASCADE
    );
    CREATE INDEX disaster_plan_numbers_plan ON disaster_plan_numbers (plan_id);

    CREATE TABLE sites (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance_id INTEGER NOT NULL REFERENCES instances (id),
        customer_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        department_name TEXT NOT NULL,
        department_key TEXT NOT NULL,
        UNIQUE (customer_id, department_key)
    );

    CREATE TABLE emergency_addresses (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance_id INTEGER NOT NULL REFERENCES instances (id),
        customer_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        street_number TEXT NOT NULL,
        street_name TEXT NOT NULL,
        address_type TEXT,
        address_description TEXT,
        country_code TEXT NOT NULL,
        postal_code TEXT NOT NULL,
        state_code TEXT NOT NULL,
        city TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX emergency_addresses_customer ON emergency_addresses (customer_id);

    -- number_id as the key keeps a number at one address at most.
    CREATE TABLE emergency_address_numbers (
        number_id INTEGER PRIMARY KEY REFERENCES numbers (id) ON DELETE CASCADE,
        address_id INTEGER NOT NULL REFERENCES emergency_addresses (id) ON DELETE CASCADE
    );
    CREATE INDEX emergency_address_numbers_address ON emergency_address_numbers (address_id);
    """
