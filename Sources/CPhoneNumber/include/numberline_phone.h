#pragma once

// A small C surface over Google libphonenumber (C++) for the Swift number layer.
//
// Only this target includes libphonenumber headers. Every function here may be called
// from many threads at once, because the shim keeps no mutable state of its own. In
// libphonenumber 8.12 (POSIX build) the PhoneNumberUtil singleton is created once under
// pthread_once, and a mutex guards its regular expression cache.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bytes needed for the digits written by `nl_phone_parse`, including the NUL.
/// A parsed number has at most a 3-digit country code and a 17-digit national number.
#define NL_PHONE_DIGITS_CAPACITY 24

/// Bytes needed for a region code written by the shim, including the NUL ("US", "001").
#define NL_PHONE_REGION_CAPACITY 4

/// Bytes needed for an example number written by `nl_phone_example_number`.
#define NL_PHONE_EXAMPLE_CAPACITY 48

/// Maximum input, in bytes, that `nl_phone_parse` reads. It bounds the work of one call,
/// and callers set their own, lower limit.
#define NL_PHONE_MAX_INPUT_BYTES 80

/// The outcome of `nl_phone_parse`.
typedef enum {
    NL_PHONE_OK = 0,

    // Parse failures, one per libphonenumber `PhoneNumberUtil::ErrorType`.
    NL_PHONE_INVALID_COUNTRY_CODE = 1,
    NL_PHONE_NOT_A_NUMBER = 2,
    NL_PHONE_TOO_SHORT_AFTER_IDD = 3,
    NL_PHONE_TOO_SHORT_NSN = 4,
    NL_PHONE_TOO_LONG_NSN = 5,

    // The number parsed, but `IsPossibleNumberWithReason` rejected its length.
    NL_PHONE_NOT_POSSIBLE_TOO_SHORT = 10,
    NL_PHONE_NOT_POSSIBLE_TOO_LONG = 11,
    NL_PHONE_NOT_POSSIBLE_INVALID_LENGTH = 12,
    NL_PHONE_NOT_POSSIBLE_INVALID_COUNTRY_CODE = 13,
    /// Long enough to dial inside an area only (no area code), so not a full number.
    NL_PHONE_NOT_POSSIBLE_LOCAL_ONLY = 14,

    /// Strict mode only: the length is possible, but `IsValidNumber` is false.
    NL_PHONE_NOT_VALID = 20,
    /// The input carries an extension, such as "ext. 12" or "x12".
    NL_PHONE_HAS_EXTENSION = 21,

    /// Longer than `NL_PHONE_MAX_INPUT_BYTES`, a NULL pointer where one is required, or
    /// a `region` that libphonenumber has no metadata for.
    NL_PHONE_BAD_ARGUMENT = 30,
    /// The library raised a C++ exception (for example std::bad_alloc).
    NL_PHONE_INTERNAL_ERROR = 31,
} nl_phone_result;

/// Parses `input` (`len` bytes, UTF-8, need not be NUL-terminated) as a telephone number.
///
/// `region` is the ISO 3166-1 alpha-2 code used for numbers written without a leading
/// `+`, or NULL when the input must carry its country code. With `strict` non-zero the
/// number must also pass `IsValidNumber`; otherwise a possible length is enough.
///
/// On `NL_PHONE_OK`, `digits_out` (at least `NL_PHONE_DIGITS_CAPACITY` bytes) receives the
/// E.164 digits without `+`. On `NL_PHONE_OK` and on every result from 10 to 21,
/// `region_out` (at least `NL_PHONE_REGION_CAPACITY` bytes) receives the number's region.
/// That is the region `IsValidNumber` matched, else `region` when its country code is the
/// number's, else the main region of the number's country code ("001" for
/// non-geographic codes such as +800). Both buffers contain "" otherwise.
nl_phone_result nl_phone_parse(const char *input, size_t len, const char *region, int strict,
                               char *digits_out, char *region_out);

/// Returns 1 when libphonenumber has metadata for the two-letter `region` (upper case), else 0.
int nl_phone_is_supported_region(const char *region);

/// Writes an example fixed-line number for `region` in international format
/// ("+1 201-555-0123") to `out` (`capacity` bytes); returns 1, or 0 when there is none.
int nl_phone_example_number(const char *region, char *out, size_t capacity);

/// Compares the shim's own region and validity checks with libphonenumber's regular
/// expression path on `count` numbers generated from `seed`: example numbers of every
/// region with random final digits, some a digit longer or shorter. Numbers that fail to
/// parse, or whose country calling code the shim leaves to the library, are not compared.
/// Writes the count compared to `compared` and the first disagreement, as text, to
/// `report`. Returns the number of disagreements (more than `count` after an exception).
size_t nl_phone_self_check(size_t count, unsigned seed, size_t *compared, char *report, size_t capacity);

#ifdef __cplusplus
}
#endif
