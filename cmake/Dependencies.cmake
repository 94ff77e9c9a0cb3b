# Every library comes from a Debian package (see tools/setup); nothing is downloaded.
find_package(Boost 1.74 REQUIRED COMPONENTS regex program_options)
find_package(GTest REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
