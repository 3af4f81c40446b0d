#include "numberline_phone.h"

#include "fast_region.h"

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

// The serialized PhoneMetadataCollection that PhoneNumberUtil itself loads. libphonenumber
// 8.12 exports these from libphonenumber.so but does not install their header (metadata.h).
namespace i18n {
namespace phonenumbers {
int metadata_size();
const void *metadata_get();
}  // namespace phonenumbers
}  // namespace i18n

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
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
    if (!numberline::fast_region_for_number(util, number, &region)) {
        util.GetRegionCodeForNumber(number, &region);
    }
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

// Maximum length of a national significant number that Parse accepts (kMaxLengthForNsn in 8.12).
const size_t kMaxNationalNumberLength = 17;
// Minimum length of a national significant number that Parse accepts (kMinLengthForNsn in 8.12).
const size_t kMinNationalNumberLength = 2;
// Maximum length of a country calling code (kMaxLengthCountryCode in 8.12).
const size_t kMaxCountryCodeLength = 3;

// national_prefix_for_parsing of the main region of each country calling code, from the
// metadata that PhoneNumberUtil loads. Parse strips this prefix from a national number
// even after a "+" and a country code, so the fast path must know it.
const std::unordered_map<int, std::string> &national_prefixes_for_parsing() {
    static const std::unordered_map<int, std::string> prefixes = [] {
        const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
        std::unordered_map<int, std::string> result;
        PhoneMetadataCollection collection;
        if (!collection.ParseFromArray(i18n::phonenumbers::metadata_get(),
                                       i18n::phonenumbers::metadata_size())) {
            return result;
        }
        for (const PhoneMetadata &metadata : collection.metadata()) {
            std::string main_region;
            util.GetRegionCodeForCountryCode(metadata.country_code(), &main_region);
            if (metadata.id() == main_region) {
                result[metadata.country_code()] = metadata.national_prefix_for_parsing();
            }
        }
        return result;
    }();
    return prefixes;
}

// Returns true when Parse cannot strip a national prefix from `national_number`: the
// country code has no prefix for parsing, or the prefix is a plain digit string that
// `national_number` does not start with. A prefix written as a regular expression, or a
// country code missing from the table, returns false so the caller uses Parse.
bool has_no_national_prefix(int country_code, const char *national_number, size_t length) {
    const auto &prefixes = national_prefixes_for_parsing();
    auto entry = prefixes.find(country_code);
    if (entry == prefixes.end()) {
        return false;
    }
    const std::string &prefix = entry->second;
    if (prefix.empty()) {
        return true;
    }
    for (char character : prefix) {
        if (character < '0' || character > '9') {
            return false;
        }
    }
    return prefix.size() > length || std::memcmp(prefix.data(), national_number, prefix.size()) != 0;
}

// Whether libphonenumber has a region for the calling code `candidate` (1 to 999). The
// library builds a list of region strings for every such question, so the answers are
// read once into a table.
bool is_known_country_code(int candidate) {
    static const std::vector<bool> known = [] {
        const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
        std::vector<bool> result(1000, false);
        for (int code = 1; code < 1000; ++code) {
            std::string region;
            util.GetRegionCodeForCountryCode(code, &region);
            result[code] = region != kUnknownRegion;
        }
        return result;
    }();
    return candidate > 0 && candidate < 1000 && known[candidate];
}

// Builds the PhoneNumber that Parse returns for `input` of the form "+" and ASCII digits,
// without Parse's regular expressions. Returns false whenever the input is outside the
// cases this mirrors (no known country code, a national number of a length Parse rejects,
// a national prefix Parse might strip), and the caller then uses Parse.
//
// It follows Parse in libphonenumber 8.12 for such input. The country code is the shortest
// run of 1 to 3 leading digits (not starting with 0) that has a region. The rest is the
// national number, and a leading zero sets italian_leading_zero and number_of_leading_zeros.
bool parse_plus_digits(const PhoneNumberUtil &util, const char *input, size_t len,
                       PhoneNumber *number) {
    if (len < 2 || input[0] != '+') {
        return false;
    }
    const char *digits = input + 1;
    const size_t digit_count = len - 1;
    for (size_t i = 0; i < digit_count; ++i) {
        if (digits[i] < '0' || digits[i] > '9') {
            return false;
        }
    }
    if (digits[0] == '0') {
        return false;
    }

    int country_code = 0;
    size_t country_code_length = 0;
    for (size_t i = 1; i <= kMaxCountryCodeLength && i <= digit_count; ++i) {
        int candidate = 0;
        for (size_t j = 0; j < i; ++j) {
            candidate = candidate * 10 + (digits[j] - '0');
        }
        if (is_known_country_code(candidate)) {
            country_code = candidate;
            country_code_length = i;
            break;
        }
    }
    if (country_code == 0) {
        return false;
    }

    const char *national = digits + country_code_length;
    const size_t national_length = digit_count - country_code_length;
    if (national_length < kMinNationalNumberLength || national_length > kMaxNationalNumberLength) {
        return false;
    }
    if (!has_no_national_prefix(country_code, national, national_length)) {
        return false;
    }

    uint64_t national_number = 0;
    for (size_t i = 0; i < national_length; ++i) {
        national_number = national_number * 10 + static_cast<uint64_t>(national[i] - '0');
    }
    number->set_country_code(country_code);
    number->set_national_number(national_number);

    // Parse counts leading zeros, but never the last digit of an all-zero number.
    if (national[0] == '0') {
        number->set_italian_leading_zero(true);
        int leading_zeros = 1;
        while (static_cast<size_t>(leading_zeros) < national_length - 1 && national[leading_zeros] == '0') {
            ++leading_zeros;
        }
        if (leading_zeros != 1) {
            number->set_number_of_leading_zeros(leading_zeros);
        }
    }
    return true;
}

nl_phone_result parse(const char *input, size_t len, const char *region, int strict,
                      char *digits_out, char *region_out) {
    const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;

    if (!parse_plus_digits(util, input, len, &number)) {
        const std::string text(input, len);
        PhoneNumberUtil::ErrorType error =
            util.Parse(text, region != nullptr ? region : kUnknownRegion, &number);
        if (error != PhoneNumberUtil::NO_PARSING_ERROR) {
            return result_for_parse_error(error);
        }
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
    if (strict != 0) {
        numberline::FastAnswer valid = numberline::fast_is_valid_number(util, number);
        if (valid == numberline::FastAnswer::use_library ? !util.IsValidNumber(number)
                                                         : valid == numberline::FastAnswer::no) {
            return NL_PHONE_NOT_VALID;
        }
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
