#include "numberline_phone.h"

#include <cstring>
#include <set>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

// libphonenumber's code for "no region": Parse then requires a leading + in the input.
const char *const kUnknownRegion = "ZZ";

// PhoneNumberUtil's own region check is private, so the shim keeps the public list.
// A function-local static is initialised once even when threads race (C++11).
bool is_supported_region(const char *region) {
    static const std::set<std::string> regions = [] {
        std::set<std::string> result;
        PhoneNumberUtil::GetInstance()->GetSupportedRegions(&result);
        return result;
    }();
    return regions.count(region) != 0;
}

void copy_out(const std::string &value, char *out, size_t capacity) {
    size_t count = value.size() < capacity - 1 ? value.size() : capacity - 1;
    std::memcpy(out, value.data(), count);
    out[count] = '\0';
}

nl_phone_result result_for_parse_error(PhoneNumberUtil::ErrorType error) {
    switch (error) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
        return NL_PHONE_INVALID_COUNTRY_CODE;
    case PhoneNumberUtil::NOT_A_NUMBER:
        return NL_PHONE_NOT_A_NUMBER;
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
        return NL_PHONE_TOO_SHORT_AFTER_IDD;
    case PhoneNumberUtil::TOO_SHORT_NSN:
        return NL_PHONE_TOO_SHORT_NSN;
    case PhoneNumberUtil::TOO_LONG_NSN:
        return NL_PHONE_TOO_LONG_NSN;
    case PhoneNumberUtil::NO_PARSING_ERROR:
        break;
    }
    return NL_PHONE_INTERNAL_ERROR;
}

// Maps a failed possibility check; IS_POSSIBLE never reaches here.
nl_phone_result result_for_validation(PhoneNumberUtil::ValidationResult reason) {
    switch (reason) {
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
        return NL_PHONE_NOT_POSSIBLE_LOCAL_ONLY;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE:
        return NL_PHONE_NOT_POSSIBLE_INVALID_COUNTRY_CODE;
    case PhoneNumberUtil::TOO_SHORT:
        return NL_PHONE_NOT_POSSIBLE_TOO_SHORT;
    case PhoneNumberUtil::INVALID_LENGTH:
        return NL_PHONE_NOT_POSSIBLE_INVALID_LENGTH;
    case PhoneNumberUtil::TOO_LONG:
        return NL_PHONE_NOT_POSSIBLE_TOO_LONG;
    case PhoneNumberUtil::IS_POSSIBLE:
        break;
    }
    return NL_PHONE_INTERNAL_ERROR;
}

// The region reported for a parsed number, as documented on nl_phone_parse.
std::string region_for_number(const PhoneNumberUtil &util, const PhoneNumber &number,
                              const char *default_region) {
    std::string region;
    util.GetRegionCodeForNumber(number, &region);
    if (region != kUnknownRegion) {
        return region;
    }
    if (default_region != nullptr &&
        util.GetCountryCodeForRegion(default_region) == number.country_code()) {
        return default_region;
    }
    util.GetRegionCodeForCountryCode(number.country_code(), &region);
    return region;
}

nl_phone_result parse(const char *input, size_t len, const char *region, int strict,
                      char *digits_out, char *region_out) {
    const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
    const std::string text(input, len);
    PhoneNumber number;

    PhoneNumberUtil::ErrorType error =
        util.Parse(text, region != nullptr ? region : kUnknownRegion, &number);
    if (error != PhoneNumberUtil::NO_PARSING_ERROR) {
        return result_for_parse_error(error);
    }

    copy_out(region_for_number(util, number, region), region_out, NL_PHONE_REGION_CAPACITY);

    // The server stores bare numbers, so an extension is rejected rather than dropped.
    if (number.has_extension()) {
        return NL_PHONE_HAS_EXTENSION;
    }

    PhoneNumberUtil::ValidationResult reason = util.IsPossibleNumberWithReason(number);
    if (reason != PhoneNumberUtil::IS_POSSIBLE) {
        return result_for_validation(reason);
    }
    if (strict != 0 && !util.IsValidNumber(number)) {
        return NL_PHONE_NOT_VALID;
    }

    std::string formatted;
    util.Format(number, PhoneNumberUtil::E164, &formatted);
    // E164 format is "+" followed by digits only.
    copy_out(formatted.substr(1), digits_out, NL_PHONE_DIGITS_CAPACITY);
    return NL_PHONE_OK;
}

}  // namespace

extern "C" nl_phone_result nl_phone_parse(const char *input, size_t len, const char *region,
                                          int strict, char *digits_out, char *region_out) {
    if (input == nullptr || digits_out == nullptr || region_out == nullptr ||
        len > NL_PHONE_MAX_INPUT_BYTES) {
        return NL_PHONE_BAD_ARGUMENT;
    }
    digits_out[0] = '\0';
    region_out[0] = '\0';

    // No C++ exception may unwind into the Swift caller.
    try {
        if (region != nullptr && !is_supported_region(region)) {
            return NL_PHONE_BAD_ARGUMENT;
        }
        return parse(input, len, region, strict, digits_out, region_out);
    } catch (...) {
        digits_out[0] = '\0';
        region_out[0] = '\0';
        return NL_PHONE_INTERNAL_ERROR;
    }
}

extern "C" int nl_phone_is_supported_region(const char *region) {
    if (region == nullptr) {
        return 0;
    }
    try {
        return is_supported_region(region) ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" int nl_phone_example_number(const char *region, char *out, size_t capacity) {
    if (region == nullptr || out == nullptr || capacity == 0) {
        return 0;
    }
    out[0] = '\0';
    try {
        const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
        PhoneNumber number;
        if (!util.GetExampleNumber(region, &number)) {
            return 0;
        }
        std::string formatted;
        util.Format(number, PhoneNumberUtil::INTERNATIONAL, &formatted);
        if (formatted.size() >= capacity) {
            return 0;
        }
        copy_out(formatted, out, capacity);
        return 1;
    } catch (...) {
        out[0] = '\0';
        return 0;
    }
}
