#include "numberline_h2o.h"
