#include "fast_region.h"

#include "numberline_phone.h"

#include <algorithm>
#include <cstring>
#include <cstdint>
#include <list>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include <phonenumbers/phonemetadata.pb.h>

// The serialized PhoneMetadataCollection that PhoneNumberUtil itself loads; see
// numberline_phone.cpp.
namespace i18n {
namespace phonenumbers {
int metadata_size();
const void *metadata_get();
}  // namespace phonenumbers
}  // namespace i18n

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberDesc;
using i18n::phonenumbers::PhoneNumberUtil;

namespace numberline {
namespace {

// The maximum length of a national significant number for the matcher, because one bit
// per position and one for the end position must fit in 64 bits.
const size_t kMaxSubjectLength = 62;

// A string of ASCII digits as one bit mask of positions per digit.
struct Subject {
    uint64_t positions_of_digit[10] = {};
    size_t length = 0;

    explicit Subject(const std::string &digits) : length(digits.size()) {
        for (size_t i = 0; i < digits.size(); ++i) {
            positions_of_digit[digits[i] - '0'] |= uint64_t{1} << i;
        }
    }
};

// A compiled pattern. Matching runs on sets of positions: each node maps the set of
// positions where it may start to the set of positions where it may end. Full match starts
// at {0} and checks whether the end set contains the subject's length. Without
// back-references, that gives the same result as a backtracking engine.
class DigitPattern {
  public:
    // Compiles `text`. Returns false for anything outside the supported subset.
    bool compile(const std::string &text) {
        text_ = &text;
        position_ = 0;
        nodes_.clear();
        root_ = parse_alternation(0);
        text_ = nullptr;
        return root_ >= 0 && position_ == text.size();
    }

    bool full_match(const Subject &subject) const {
        return (run(root_, 1, subject) >> subject.length) & 1;
    }

    // Whether some prefix of the subject (possibly empty) matches, as ICU's lookingAt.
    bool prefix_match(const Subject &subject) const { return run(root_, 1, subject) != 0; }

  private:
    enum class Kind { digit_class, sequence, alternation, repeat };

    struct Node {
        Kind kind;
        uint16_t digits = 0;  // digit_class: bit d set when digit d matches
        int min = 0;          // repeat
        int max = 0;          // repeat; -1 for no upper bound
        std::vector<int> children;
    };

    static const int kMaxDepth = 64;
    static const int kMaxCount = 64;

    std::vector<Node> nodes_;
    int root_ = -1;
    const std::string *text_ = nullptr;
    size_t position_ = 0;

    uint64_t run(int index, uint64_t starts, const Subject &subject) const {
        if (starts == 0) {
            return 0;
        }
        const Node &node = nodes_[index];
        switch (node.kind) {
        case Kind::digit_class: {
            uint64_t matching = 0;
            for (int digit = 0; digit < 10; ++digit) {
                if (node.digits & (1u << digit)) {
                    matching |= subject.positions_of_digit[digit];
                }
            }
            return (starts & matching) << 1;
        }
        case Kind::sequence: {
            uint64_t current = starts;
            for (int child : node.children) {
                current = run(child, current, subject);
                if (current == 0) {
                    return 0;
                }
            }
            return current;
        }
        case Kind::alternation: {
            uint64_t ends = 0;
            for (int child : node.children) {
                ends |= run(child, starts, subject);
            }
            return ends;
        }
        case Kind::repeat: {
            uint64_t current = starts;
            for (int i = 0; i < node.min; ++i) {
                current = run(node.children[0], current, subject);
                if (current == 0) {
                    return 0;
                }
            }
            uint64_t ends = current;
            // Each further round can only reach a position set already seen once the
            // union stops growing, so an unbounded repeat ends after at most length+1 rounds.
            for (int i = 0; node.max < 0 || i < node.max - node.min; ++i) {
                current = run(node.children[0], current, subject);
                uint64_t grown = ends | current;
                if (current == 0 || (node.max < 0 && grown == ends)) {
                    break;
                }
                ends = grown;
            }
            return ends;
        }
        }
        return 0;
    }

    bool at_end() const { return position_ >= text_->size(); }
    char peek() const { return (*text_)[position_]; }

    int add(Node node) {
        nodes_.push_back(std::move(node));
        return static_cast<int>(nodes_.size() - 1);
    }

    int parse_alternation(int depth) {
        if (depth > kMaxDepth) {
            return -1;
        }
        Node alternation{Kind::alternation};
        for (;;) {
            int sequence = parse_sequence(depth);
            if (sequence < 0) {
                return -1;
            }
            alternation.children.push_back(sequence);
            if (at_end() || peek() != '|') {
                break;
            }
            ++position_;
        }
        if (alternation.children.size() == 1) {
            return alternation.children[0];
        }
        return add(std::move(alternation));
    }

    int parse_sequence(int depth) {
        Node sequence{Kind::sequence};
        while (!at_end() && peek() != '|' && peek() != ')') {
            int atom = parse_atom(depth);
            if (atom < 0) {
                return -1;
            }
            while (!at_end() && (peek() == '?' || peek() == '*' || peek() == '+' || peek() == '{')) {
                Node repeat{Kind::repeat};
                if (!parse_quantifier(&repeat.min, &repeat.max)) {
                    return -1;
                }
                repeat.children.push_back(atom);
                atom = add(std::move(repeat));
            }
            sequence.children.push_back(atom);
        }
        return add(std::move(sequence));
    }

    int parse_atom(int depth) {
        char c = peek();
        if (c >= '0' && c <= '9') {
            ++position_;
            Node digit{Kind::digit_class};
            digit.digits = static_cast<uint16_t>(1u << (c - '0'));
            return add(std::move(digit));
        }
        if (c == '\\') {
            if (position_ + 1 >= text_->size() || (*text_)[position_ + 1] != 'd') {
                return -1;
            }
            position_ += 2;
            Node any{Kind::digit_class};
            any.digits = 0x3FF;
            return add(std::move(any));
        }
        if (c == '[') {
            return parse_class();
        }
        if (c == '(') {
            ++position_;
            if (text_->compare(position_, 2, "?:") == 0) {
                position_ += 2;
            } else if (!at_end() && peek() == '?') {
                return -1;  // look-around and other group kinds are outside the subset
            }
            int inner = parse_alternation(depth + 1);
            if (inner < 0 || at_end() || peek() != ')') {
                return -1;
            }
            ++position_;
            return inner;
        }
        return -1;
    }

    int parse_class() {
        ++position_;  // '['
        bool negated = false;
        if (!at_end() && peek() == '^') {
            negated = true;
            ++position_;
        }
        uint16_t digits = 0;
        bool empty = true;
        while (!at_end() && peek() != ']') {
            char c = peek();
            if (c == '\\') {
                if (position_ + 1 >= text_->size() || (*text_)[position_ + 1] != 'd') {
                    return -1;
                }
                position_ += 2;
                digits = 0x3FF;
            } else if (c >= '0' && c <= '9') {
                ++position_;
                char last = c;
                if (position_ + 1 < text_->size() && peek() == '-' && (*text_)[position_ + 1] != ']') {
                    last = (*text_)[position_ + 1];
                    if (last < c || last > '9') {
                        return -1;
                    }
                    position_ += 2;
                }
                for (char d = c; d <= last; ++d) {
                    digits |= static_cast<uint16_t>(1u << (d - '0'));
                }
            } else {
                return -1;
            }
            empty = false;
        }
        if (at_end() || empty) {
            return -1;
        }
        ++position_;  // ']'
        Node set{Kind::digit_class};
        // A negated class can also match non-digits, which never occur in the subject.
        set.digits = negated ? static_cast<uint16_t>(~digits & 0x3FF) : digits;
        return add(std::move(set));
    }

    bool parse_number(int *value) {
        if (at_end() || peek() < '0' || peek() > '9') {
            return false;
        }
        int result = 0;
        while (!at_end() && peek() >= '0' && peek() <= '9') {
            result = result * 10 + (peek() - '0');
            if (result > kMaxCount) {
                return false;
            }
            ++position_;
        }
        *value = result;
        return true;
    }

    bool parse_quantifier(int *min, int *max) {
        char c = peek();
        ++position_;
        switch (c) {
        case '?':
            *min = 0;
            *max = 1;
            return true;
        case '*':
            *min = 0;
            *max = -1;
            return true;
        case '+':
            *min = 1;
            *max = -1;
            return true;
        default:
            break;
        }
        // '{n}', '{n,}' or '{n,m}'
        if (!parse_number(min)) {
            return false;
        }
        *max = *min;
        if (!at_end() && peek() == ',') {
            ++position_;
            if (!at_end() && peek() == '}') {
                *max = -1;
            } else if (!parse_number(max) || *max < *min) {
                return false;
            }
        }
        if (at_end() || peek() != '}') {
            return false;
        }
        ++position_;
        return true;
    }
};

// One PhoneNumberDesc, as IsNumberMatchingDesc reads it.
struct DescMatcher {
    std::vector<int> possible_lengths;
    bool has_pattern = false;
    DigitPattern pattern;

    bool compile(const PhoneNumberDesc &desc) {
        possible_lengths.assign(desc.possible_length().begin(), desc.possible_length().end());
        has_pattern = !desc.national_number_pattern().empty();
        return !has_pattern || pattern.compile(desc.national_number_pattern());
    }

    // Possible lengths first (when the desc lists any), then a full match of the pattern;
    // an empty pattern matches nothing.
    bool matches(const Subject &subject) const {
        if (!possible_lengths.empty() &&
            std::find(possible_lengths.begin(), possible_lengths.end(), static_cast<int>(subject.length)) ==
                possible_lengths.end()) {
            return false;
        }
        return has_pattern && pattern.full_match(subject);
    }
};

struct RegionMatcher {
    std::string id;
    bool has_leading_digits = false;
    DigitPattern leading_digits;
    DescMatcher general;
    // premium rate, toll free, shared cost, VoIP, personal number, pager, UAN, voicemail:
    // the order GetNumberTypeHelper tests them in.
    DescMatcher special[8];
    DescMatcher fixed_line;
    DescMatcher mobile;
    bool same_mobile_and_fixed_line_pattern = false;

    bool compile(const PhoneMetadata &metadata) {
        id = metadata.id();
        has_leading_digits = metadata.has_leading_digits();
        if (has_leading_digits && !leading_digits.compile(metadata.leading_digits())) {
            return false;
        }
        same_mobile_and_fixed_line_pattern = metadata.same_mobile_and_fixed_line_pattern();
        const PhoneNumberDesc *specials[8] = {
            &metadata.premium_rate(), &metadata.toll_free(), &metadata.shared_cost(), &metadata.voip(),
            &metadata.personal_number(), &metadata.pager(), &metadata.uan(), &metadata.voicemail(),
        };
        for (int i = 0; i < 8; ++i) {
            if (!special[i].compile(*specials[i])) {
                return false;
            }
        }
        return general.compile(metadata.general_desc()) && fixed_line.compile(metadata.fixed_line()) &&
               mobile.compile(metadata.mobile());
    }

    // Whether GetNumberTypeHelper would return anything but UNKNOWN.
    bool has_known_type(const Subject &subject) const {
        if (!general.matches(subject)) {
            return false;
        }
        for (const DescMatcher &desc : special) {
            if (desc.matches(subject)) {
                return true;
            }
        }
        if (fixed_line.matches(subject)) {
            return true;
        }
        return !same_mobile_and_fixed_line_pattern && mobile.matches(subject);
    }
};

// The regions of one country calling code, in the order the library tries them.
struct CountryMatcher {
    std::vector<const RegionMatcher *> regions;
};

class Tables {
  public:
    static const Tables &shared() {
        static const Tables tables;
        return tables;
    }

    // nullptr when the fast path does not cover `country_code`.
    const CountryMatcher *country(int country_code) const {
        auto entry = countries_.find(country_code);
        return entry == countries_.end() ? nullptr : &entry->second;
    }

  private:
    std::vector<std::unique_ptr<RegionMatcher>> regions_;
    std::unordered_map<int, CountryMatcher> countries_;

    Tables() {
        const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
        PhoneMetadataCollection collection;
        if (!collection.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size())) {
            return;
        }
        std::unordered_map<std::string, const RegionMatcher *> by_id;
        std::vector<int> country_codes;
        for (const PhoneMetadata &metadata : collection.metadata()) {
            country_codes.push_back(metadata.country_code());
            auto region = std::make_unique<RegionMatcher>();
            if (region->compile(metadata)) {
                by_id[metadata.id()] = region.get();
                regions_.push_back(std::move(region));
            }
        }
        for (int country_code : country_codes) {
            std::list<std::string> codes;
            util.GetRegionCodesForCountryCallingCode(country_code, &codes);
            CountryMatcher country;
            bool complete = !codes.empty();
            for (const std::string &code : codes) {
                auto found = by_id.find(code);
                // "001" (non-geographic entities) is looked up by calling code in the
                // library, so those codes stay on the library path.
                if (code == "001" || found == by_id.end()) {
                    complete = false;
                    break;
                }
                country.regions.push_back(found->second);
            }
            if (complete) {
                countries_[country_code] = std::move(country);
            }
        }
    }
};

std::string national_significant_number(const PhoneNumber &number) {
    std::string digits;
    if (number.italian_leading_zero() && number.number_of_leading_zeros() > 0) {
        digits.assign(static_cast<size_t>(number.number_of_leading_zeros()), '0');
    }
    digits += std::to_string(number.national_number());
    return digits;
}

// The region and its matcher; region is nullptr for "ZZ". Returns false to use the library.
bool find_region(const PhoneNumber &number, const RegionMatcher **region, std::string *digits) {
    const CountryMatcher *country = Tables::shared().country(number.country_code());
    if (country == nullptr) {
        return false;
    }
    *digits = national_significant_number(number);
    if (digits->size() > kMaxSubjectLength) {
        return false;
    }
    if (country->regions.size() == 1) {
        *region = country->regions[0];
        return true;
    }
    Subject subject(*digits);
    for (const RegionMatcher *candidate : country->regions) {
        bool matches = candidate->has_leading_digits ? candidate->leading_digits.prefix_match(subject)
                                                     : candidate->has_known_type(subject);
        if (matches) {
            *region = candidate;
            return true;
        }
    }
    *region = nullptr;
    return true;
}

}  // namespace

bool fast_region_for_number(const PhoneNumberUtil &, const PhoneNumber &number, std::string *region) {
    const RegionMatcher *found = nullptr;
    std::string digits;
    if (!find_region(number, &found, &digits)) {
        return false;
    }
    *region = found != nullptr ? found->id : "ZZ";
    return true;
}

FastAnswer fast_is_valid_number(const PhoneNumberUtil &, const PhoneNumber &number) {
    const RegionMatcher *found = nullptr;
    std::string digits;
    if (!find_region(number, &found, &digits)) {
        return FastAnswer::use_library;
    }
    if (found == nullptr) {
        return FastAnswer::no;
    }
    return found->has_known_type(Subject(digits)) ? FastAnswer::yes : FastAnswer::no;
}

}  // namespace numberline

// MARK: - Self-check

extern "C" size_t nl_phone_self_check(size_t count, unsigned seed, size_t *compared, char *report, size_t capacity) {
    using numberline::FastAnswer;
    size_t disagreements = 0;
    *compared = 0;
    if (report != nullptr && capacity > 0) {
        report[0] = '\0';
    }
    try {
        const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
        PhoneMetadataCollection collection;
        if (!collection.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size()) ||
            collection.metadata_size() == 0) {
            return 1;
        }
        std::mt19937 random(seed);
        auto below = [&random](size_t bound) { return static_cast<size_t>(random() % bound); };
        for (size_t i = 0; i < count; ++i) {
            const PhoneMetadata &metadata = collection.metadata(static_cast<int>(below(collection.metadata_size())));
            const PhoneNumberDesc *descs[] = {
                &metadata.fixed_line(), &metadata.mobile(),   &metadata.toll_free(), &metadata.premium_rate(),
                &metadata.shared_cost(), &metadata.voip(),    &metadata.personal_number(), &metadata.pager(),
                &metadata.uan(),         &metadata.voicemail(), &metadata.general_desc(),
            };
            std::string national = descs[below(11)]->example_number();
            if (national.empty()) {
                national.assign(6 + below(8), '0');
            }
            // Replace up to five final digits, and now and then add or drop one.
            size_t replaced = std::min(national.size(), below(6));
            for (size_t k = national.size() - replaced; k < national.size(); ++k) {
                national[k] = static_cast<char>('0' + below(10));
            }
            switch (below(8)) {
            case 0:
                national.push_back(static_cast<char>('0' + below(10)));
                break;
            case 1:
                if (national.size() > 2) {
                    national.pop_back();
                }
                break;
            default:
                break;
            }
            const std::string text = "+" + std::to_string(metadata.country_code()) + national;
            PhoneNumber number;
            if (util.Parse(text, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
                continue;
            }
            std::string library_region;
            util.GetRegionCodeForNumber(number, &library_region);
            const bool library_valid = util.IsValidNumber(number);

            std::string fast_region;
            bool region_covered = numberline::fast_region_for_number(util, number, &fast_region);
            FastAnswer fast_valid = numberline::fast_is_valid_number(util, number);
            if (!region_covered && fast_valid == FastAnswer::use_library) {
                continue;
            }
            ++*compared;
            bool agree = (!region_covered || fast_region == library_region) &&
                         (fast_valid == FastAnswer::use_library || (fast_valid == FastAnswer::yes) == library_valid);
            if (!agree) {
                if (disagreements == 0 && report != nullptr && capacity > 0) {
                    std::string message = text + ": library returned region " + library_region +
                                          (library_valid ? ", valid" : ", not valid") + "; fast path returned region " +
                                          (region_covered ? fast_region : std::string("(library)")) +
                                          (fast_valid == FastAnswer::yes ? ", valid" : ", not valid");
                    size_t length = std::min(message.size(), capacity - 1);
                    std::memcpy(report, message.data(), length);
                    report[length] = '\0';
                }
                ++disagreements;
            }
        }
    } catch (...) {
        return count + 1;
    }
    return disagreements;
}
