# Every library comes from a Debian package (see tools/setup); nothing is downloaded.
# Boost linked statically (Debian's libboost-*-dev ship the archives): the shared
# libboost_regex pulls in ICU, whose loading cost every portcullis-regex run ~5 ms.
set(Boost_USE_STATIC_LIBS ON)
find_package(Boost 1.74 REQUIRED COMPONENTS regex program_options)
find_package(GTest REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
