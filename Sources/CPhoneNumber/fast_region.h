#pragma once

// Region lookup and validity checks that return what libphonenumber 8.12 returns, without
// its regular expression engine.
//
// PhoneNumberUtil::GetRegionCodeForNumber and IsValidNumber match a number's digits against
// several patterns per region (about ten for a US number) through ICU, behind a cache keyed
// by the pattern text. A profile on a 2-core test machine put that at about 10 microseconds
// per number. The
// metadata's patterns use a small regular language over ASCII digits: digits, \d, classes,
// groups, alternation and counted repetition. This file compiles each pattern once into a
// tree that matches on sets of positions. A country calling code with any pattern outside
// that language stays on the library path. `nl_phone_self_check` compares both paths.

#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace numberline {

enum class FastAnswer { yes, no, use_library };

// Writes the region that PhoneNumberUtil::GetRegionCodeForNumber returns ("ZZ" for none).
// Returns false when the fast path does not cover the number's country calling code.
bool fast_region_for_number(const i18n::phonenumbers::PhoneNumberUtil &util,
                            const i18n::phonenumbers::PhoneNumber &number, std::string *region);

// Returns the result of PhoneNumberUtil::IsValidNumber, or use_library when the fast path
// does not cover the number's country calling code.
FastAnswer fast_is_valid_number(const i18n::phonenumbers::PhoneNumberUtil &util,
                                const i18n::phonenumbers::PhoneNumber &number);

}  // namespace numberline
