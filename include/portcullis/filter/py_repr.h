#pragma once
// Moved to base (config spells its messages the same way); kept for the code that
// still includes it from here.
#include "portcullis/base/py_repr.h"

namespace portcullis::filter {
using portcullis::PyRepr;
}  // namespace portcullis::filter
