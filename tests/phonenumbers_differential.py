#!/usr/bin/env python3
"""Compare Numberline's telephone-number parsing with Python phonenumbers, input by input.

Our side is the real Swift code: the `phone-check` executable reads
`input<TAB>region<TAB>mode` lines and prints one JSON result per line. The reference
side applies the same documented rules of `TelephoneNumbers.parse` (accepted
characters, the reading of bare digits, the reported region) and calls Python
phonenumbers wherever the Swift code calls libphonenumber. Both libraries should
carry the same metadata, so install tests/requirements-differential.txt first.

Usage:
    swift build --product phone-check
    pip install -r tests/requirements-differential.txt
    python3 tests/phonenumbers_differential.py [--count N] [--seed S]

Exits 1 when a disagreement is not in the allow-list
(tests/phonenumbers_differential_allowlist.tsv), and 2 on a setup error.
"""

import argparse
import json
import os
import random
import subprocess
import sys

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

EXPECTED_PHONENUMBERS_VERSION = "8.12.57"
MAX_INPUT_BYTES = 64
ACCEPTED_CHARACTERS = set("0123456789+ .-()")

REGIONS = [
    "US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "BE", "CH", "AT", "SE", "NO", "DK",
    "FI", "PL", "IE", "PT", "GR", "CZ", "HU", "RU", "UA", "TR", "IL", "AE", "SA", "EG",
    "NG", "ZA", "KE", "IN", "PK", "CN", "HK", "JP", "KR", "SG", "MY", "ID", "PH", "TH",
    "VN", "AU", "NZ", "BR", "AR", "MX", "CO", "CL", "PE", "GG", "VA",
]
NON_GEOGRAPHIC_CODES = [800, 808, 870, 878, 881, 882, 883, 888, 979]
NUMBER_TYPES = [
    PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST, PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER, PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
]
EXTENSIONS = [" ext. 123", " ext 5", " x12", " #12", ";ext=77", " extension 9"]
FORMATTING = [" ", " ", ".", "-", "(", ")", " - "]
BAD_CHARACTERS = ["*", "/", "~", "[", "]", "#", ",", "\u00a0", "\uff11", "_"]
LETTERS = ["A", "x", "O", "l", "é", "Z"]

PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: "invalidCountryCode",
    NumberParseException.NOT_A_NUMBER: "notANumber",
    NumberParseException.TOO_SHORT_AFTER_IDD: "tooShortAfterIDD",
    NumberParseException.TOO_SHORT_NSN: "tooShortNationalNumber",
    NumberParseException.TOO_LONG: "tooLongNationalNumber",
}
VALIDATION_ERRORS = {
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "localOnly",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "invalidCountryCode",
    phonenumbers.ValidationResult.TOO_SHORT: "tooShort",
    phonenumbers.ValidationResult.INVALID_LENGTH: "invalidLength",
    phonenumbers.ValidationResult.TOO_LONG: "tooLong",
}
# NumberProblem cases that carry the region the number was checked against.
ERRORS_WITH_REGION = {"tooShort", "tooLong", "invalidLength", "localOnly", "longerThanE164", "notValid"}
MAX_E164_DIGITS = 15


# MARK: - Reference model of TelephoneNumbers.parse

def failure(error, region=None):
    result = {"ok": False, "error": error}
    if error in ERRORS_WITH_REGION:
        result["region"] = region
    return result


def region_for_number(number, default_region):
    """Return the region nl_phone_parse reports for a parsed number."""
    region = phonenumbers.region_code_for_number(number)
    if region not in (None, "ZZ"):
        return region
    if default_region is not None and \
            phonenumbers.country_code_for_region(default_region) == number.country_code:
        return default_region
    return phonenumbers.region_code_for_country_code(number.country_code)


def call_library(text, region, mode, checks_round_trip=True):
    """Mirror nl_phone_parse with Python phonenumbers, and the read-back check on its digits."""
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as error:
        return failure(PARSE_ERRORS[error.error_type])

    number_region = region_for_number(number, region)
    if number.extension:
        return failure("hasExtension")

    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return failure(VALIDATION_ERRORS[reason], number_region)
    if mode == "strict" and not phonenumbers.is_valid_number(number):
        return failure("notValid", number_region)

    digits = phonenumbers.format_number(number, PhoneNumberFormat.E164)[1:]
    if len(digits) > MAX_E164_DIGITS:
        return failure("longerThanE164", number_region)
    # Digits that read back as another number (a national prefix stripped twice) are rejected.
    if checks_round_trip and text != "+" + digits:
        again = call_library("+" + digits, None, mode, checks_round_trip=False)
        if not again["ok"] or again["digits"] != digits:
            return failure("notValid", number_region)
    return {"ok": True, "digits": digits, "region": number_region}


def reference_parse(text, default_region, mode):
    """Apply the rules documented on TelephoneNumbers.parse."""
    if len(text.encode("utf-8")) > MAX_INPUT_BYTES:
        return failure("inputTooLong")
    if all(character == " " for character in text):
        return failure("empty")

    region = None
    if default_region is not None:
        region = default_region.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            return failure("unsupportedRegion")

    if any(character not in ACCEPTED_CHARACTERS for character in text):
        if call_library(text, region, "possible").get("error") == "hasExtension":
            return failure("hasExtension")
        if any(character.isalpha() for character in text):
            return failure("containsLetters")
        return failure("invalidCharacter")

    digits_only = text.isascii() and text.isdigit()
    if region is not None:
        national = call_library(text, region, mode)
        if national["ok"] or not digits_only:
            return national
        international = call_library("+" + text, region, mode)
        return international if international["ok"] else national

    if "+" in text:
        return call_library(text, None, mode)
    if digits_only:
        return call_library("+" + text, None, mode)
    return failure("missingCountryCode")


# MARK: - Input generation

def example_numbers():
    """Return (region, PhoneNumber) pairs from the metadata's example numbers."""
    examples = []
    for region in REGIONS:
        for number_type in NUMBER_TYPES:
            number = phonenumbers.example_number_for_type(region, number_type)
            if number is not None:
                examples.append((region, number))
    for code in NON_GEOGRAPHIC_CODES:
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None:
            examples.append(("001", number))
    return examples


def mutate_digits(rng, digits):
    """Change, drop, add or swap digits, to leave the valid ranges now and then."""
    digits = list(digits)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        operation = rng.choice(["replace", "replace", "delete", "insert", "append", "truncate"])
        position = rng.randrange(len(digits)) if digits else 0
        if operation == "replace" and digits:
            digits[position] = rng.choice("0123456789")
        elif operation == "delete" and len(digits) > 1:
            del digits[position]
        elif operation == "insert":
            digits.insert(position, rng.choice("0123456789"))
        elif operation == "append":
            digits.extend(rng.choice("0123456789") for _ in range(rng.randint(1, 4)))
        elif operation == "truncate" and len(digits) > 2:
            del digits[rng.randint(1, len(digits) - 1):]
    return "".join(digits)


def add_formatting(rng, text):
    """Insert spaces, dots, dashes and parentheses between characters."""
    characters = list(text)
    for _ in range(rng.randint(1, 4)):
        position = rng.randint(1, len(characters)) if characters else 0
        characters.insert(position, rng.choice(FORMATTING))
    return "".join(characters)


def written_forms(rng, region, number):
    """Return (text, default region) pairs for one number, in the ways people write it."""
    country_code = str(number.country_code)
    national_significant = phonenumbers.national_significant_number(number)
    forms = [
        (phonenumbers.format_number(number, PhoneNumberFormat.E164), None),
        (phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL), None),
        (country_code + national_significant, None),
        (country_code + national_significant, rng.choice(REGIONS)),
    ]
    if region != "001":
        forms.append((phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL), region))
        forms.append((national_significant, region))
        forms.append((phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL), None))
        forms.append((country_code + national_significant, region))
    # "+" and digits take the shim's fast path, which must strip a national prefix written
    # after the country code (+44 0 20…) exactly as Parse does, or hand the input to Parse.
    forms.append(("+" + country_code + "0" + national_significant, rng.choice([None, region])))
    national_prefix = phonenumbers.ndd_prefix_for_region(region, True) if region != "001" else None
    if national_prefix:
        forms.append(("+" + country_code + national_prefix + national_significant, None))
    forms.append(("011 " + country_code + " " + national_significant, "US"))
    forms.append(("00 " + country_code + " " + national_significant, rng.choice(["DE", "FR", "GB", "CH"])))
    return forms


def make_input(rng, examples):
    """Return one (text, region, mode) case."""
    region, number = rng.choice(examples)
    text, default_region = rng.choice(written_forms(rng, region, number))
    mode = rng.choice(["possible", "strict"])

    roll = rng.random()
    if roll < 0.35:
        # Mutate the digits while keeping the written form's punctuation.
        prefix = "+" if text.startswith("+") else ""
        body = text[len(prefix):]
        digit_text = "".join(character for character in body if character.isdigit())
        if digit_text:
            mutated = mutate_digits(rng, digit_text)
            text = prefix + (add_formatting(rng, mutated) if rng.random() < 0.3 else mutated)
    elif roll < 0.50:
        text = add_formatting(rng, text)
    elif roll < 0.58:
        text = text + rng.choice(EXTENSIONS)
    elif roll < 0.63:
        position = rng.randint(0, len(text))
        text = text[:position] + rng.choice(BAD_CHARACTERS) + text[position:]
    elif roll < 0.68:
        position = rng.randint(0, len(text))
        text = text[:position] + rng.choice(LETTERS) + text[position:]
    elif roll < 0.71:
        text = text.replace("+", "")
    elif roll < 0.73:
        text = rng.choice(["", " ", "  ", "+", "()", "--", "+1", "0", "00", "011"])
    elif roll < 0.75:
        text = text + "".join(rng.choice("0123456789 ") for _ in range(rng.randint(40, 70)))
    elif roll < 0.80:
        # "+" and random digits: unknown country codes, leading zeros, every length. The
        # first digit is never 0, because for "+0…" with a default region libphonenumber
        # 8.12.57 in C++ reports invalidCountryCode where Python reports tooShortAfterIDD.
        text = "+" + rng.choice("123456789") + "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 21)))

    region_roll = rng.random()
    if default_region is not None and region_roll < 0.05:
        default_region = default_region.lower()
    elif region_roll < 0.07:
        default_region = rng.choice(["XX", "ZZ", "001", "U"])
    elif region_roll < 0.15:
        default_region = rng.choice(REGIONS)

    # Tabs and newlines would break the line protocol of phone-check.
    text = text.replace("\t", " ").replace("\n", " ")
    return text, default_region, mode


# MARK: - Comparison

def load_allow_list(path):
    """Return {(input, region, mode): reason} from a TSV file; '#' starts a comment line."""
    allowed = {}
    if not os.path.exists(path):
        return allowed
    with open(path, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 4 or not fields[3].strip():
                sys.exit(f"{path}:{line_number}: expected input, region, mode and reason separated by tabs")
            allowed[(fields[0], fields[1], fields[2])] = fields[3]
    return allowed


def run_phone_check(binary, cases):
    request = "".join(f"{text}\t{region or ''}\t{mode}\n" for text, region, mode in cases)
    completed = subprocess.run([binary], input=request.encode("utf-8"), capture_output=True, check=False)
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr.decode("utf-8", "replace"))
        sys.exit(f"{binary} failed with exit status {completed.returncode}")
    lines = completed.stdout.decode("utf-8").splitlines()
    if len(lines) != len(cases):
        sys.exit(f"{binary} printed {len(lines)} results for {len(cases)} inputs")
    return [json.loads(line) for line in lines]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=12000, help="number of generated inputs")
    parser.add_argument("--seed", type=int, default=20240601, help="seed of the input generator")
    parser.add_argument("--phone-check", default=os.path.join(root, ".build", "debug", "phone-check"),
                        help="path of the phone-check executable")
    parser.add_argument("--allow-list", default=os.path.join(root, "tests", "phonenumbers_differential_allowlist.tsv"),
                        help="TSV of explained disagreements: input, region, mode, reason")
    parser.add_argument("--show", type=int, default=30, help="maximum disagreements to print")
    parser.add_argument("--any-version", action="store_true",
                        help="run with another phonenumbers version, to measure metadata drift")
    arguments = parser.parse_args()

    if phonenumbers.__version__ != EXPECTED_PHONENUMBERS_VERSION and not arguments.any_version:
        print(f"phonenumbers {phonenumbers.__version__} is installed, but the comparison needs "
              f"{EXPECTED_PHONENUMBERS_VERSION} (the metadata of Debian 12's libphonenumber); "
              f"run pip install -r tests/requirements-differential.txt", file=sys.stderr)
        return 2
    if not os.access(arguments.phone_check, os.X_OK):
        print(f"{arguments.phone_check} not found; run swift build --product phone-check", file=sys.stderr)
        return 2

    rng = random.Random(arguments.seed)
    examples = example_numbers()
    cases = [make_input(rng, examples) for _ in range(arguments.count)]
    ours = run_phone_check(arguments.phone_check, cases)
    allowed = load_allow_list(arguments.allow_list)

    explained = []
    unexplained = []
    for case, our_result in zip(cases, ours):
        text, region, mode = case
        expected = reference_parse(text, region, mode)
        if our_result == expected:
            continue
        key = (text, region or "", mode)
        entry = (key, our_result, expected)
        if key in allowed:
            explained.append(entry)
        else:
            unexplained.append(entry)

    regions = {region for region, _ in examples}
    errors = sum(1 for result in ours if not result["ok"])
    print(f"{len(cases)} inputs, {len(regions)} regions, {len(explained) + len(unexplained)} disagreements "
          f"({len(explained)} explained in the allow-list, {len(unexplained)} unexplained); "
          f"{len(cases) - errors} accepted, {errors} rejected by phone-check")

    for (text, region, mode), our_result, expected in unexplained[:arguments.show]:
        print(f"  {text!r} region={region or '-'} mode={mode}: phone-check {our_result} phonenumbers {expected}")
    seen = {entry[0] for entry in explained}
    for key in sorted(set(allowed) - seen):
        print(f"  allow-list entry no longer disagrees or was not generated: {key}")

    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
