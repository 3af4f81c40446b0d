#include <sqlite3.h>

/// Turns off SQLite's memory statistics, which take a global mutex on every allocation.
/// Must run before the first connection opens; `sqlite3_config` is variadic, so Swift
/// cannot call it directly.
static inline int nl_sqlite_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
