#pragma once
// fail2ban's schema, version 4, and the steps that bring versions 1 to 3 to it.
// Private to src/store.

#include "portcullis/base/error.h"
#include "store/sqlite.h"

namespace portcullis::store::schema {

// Creates what is missing of the version 4 schema and records version 4 when no
// version is recorded; returns the recorded version.
Result<int> Create(sql::Connection& db);

// Brings a database of `version` (1 to 3) to version 4, in one transaction.
Result<void> Migrate(sql::Connection& db, int version);

// "" when every table there is has the columns portcullis reads and writes, else what
// is missing ("table bips has no column bancount"). Missing tables are Create's business.
Result<std::string> Check(sql::Connection& db);

}  // namespace portcullis::store::schema
