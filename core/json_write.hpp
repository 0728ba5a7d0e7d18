#pragma once
// The one JSON writer: every record, audit line and JSON reply is built with it.
//
// Strings and keys are escaped per RFC 8259 (RapidJSON: `"`, `\`, and control
// characters below 0x20 as \b \f \n \r \t or \u00XX). RapidJSON copies bytes it
// does not understand verbatim, so a byte sequence that is not well-formed UTF-8
// would make the line invalid JSON: each maximal ill-formed subsequence is
// replaced with U+FFFD first (Unicode's "substitution of maximal subparts"), and
// a valid string is passed through untouched.
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace tdmaker::json {

namespace detail {
struct utf8_lead {
  std::size_t length;         // bytes of the sequence it starts; 0: cannot start one
  unsigned second_lo, second_hi; // range of the second byte (overlongs, surrogates, > U+10FFFF excluded)
};
inline utf8_lead lead_of(unsigned c) {
  if (c < 0x80)
    return {1, 0, 0};
  if (c >= 0xC2 && c <= 0xDF)
    return {2, 0x80, 0xBF};
  if (c >= 0xE0 && c <= 0xEF)
    return {3, c == 0xE0 ? 0xA0u : 0x80u, c == 0xED ? 0x9Fu : 0xBFu};
  if (c >= 0xF0 && c <= 0xF4)
    return {4, c == 0xF0 ? 0x90u : 0x80u, c == 0xF4 ? 0x8Fu : 0xBFu};
  return {0, 0, 0};
}
/// How many leading bytes of `s` are a prefix of a well-formed sequence (at
/// most the lead's length; 0 when the lead byte is not one).
inline std::size_t utf8_prefix(std::string_view s, const utf8_lead& l) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  if (l.length <= 1)
    return l.length;
  std::size_t n = 1;
  if (n < s.size() && b(1) >= l.second_lo && b(1) <= l.second_hi)
    ++n;
  else
    return n;
  while (n < l.length && n < s.size() && b(n) >= 0x80 && b(n) <= 0xBF)
    ++n;
  return n;
}
} // namespace detail

/// Length of the well-formed UTF-8 sequence at the start of `s` (not empty),
/// or 0 when the bytes there are not one.
inline std::size_t utf8_sequence_length(std::string_view s) {
  auto l = detail::lead_of(static_cast<unsigned char>(s[0]));
  return l.length != 0 && detail::utf8_prefix(s, l) == l.length ? l.length : 0;
}

/// How many bytes of the ill-formed sequence at the start of `s` one U+FFFD
/// replaces: its maximal subpart, the longest prefix that could still have
/// begun a well-formed sequence (at least 1 byte).
inline std::size_t utf8_maximal_subpart(std::string_view s) {
  auto l = detail::lead_of(static_cast<unsigned char>(s[0]));
  return l.length == 0 ? 1 : std::max<std::size_t>(1, detail::utf8_prefix(s, l));
}

/// `s` with every ill-formed UTF-8 subsequence replaced by U+FFFD.
inline std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  while (!s.empty()) {
    if (auto n = utf8_sequence_length(s)) {
      out.append(s.substr(0, n));
      s.remove_prefix(n);
    } else {
      out.append("\xEF\xBF\xBD");
      s.remove_prefix(utf8_maximal_subpart(s));
    }
  }
  return out;
}

inline bool is_valid_utf8(std::string_view s) {
  while (!s.empty()) {
    auto n = utf8_sequence_length(s);
    if (n == 0)
      return false;
    s.remove_prefix(n);
  }
  return true;
}

/// A JSON object written field by field; `open`/`open_array` nest objects and
/// arrays, `close`/`close_array` end them, `take` ends the outer object.
class object_writer {
public:
  object_writer() : w_(buf_) { w_.StartObject(); }

  object_writer& str(std::string_view key, std::string_view v) {
    key_(key);
    string_(v);
    return *this;
  }
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  object_writer& num(std::string_view key, T v) {
    key_(key);
    if constexpr (std::is_signed_v<T>)
      w_.Int64(static_cast<std::int64_t>(v));
    else
      w_.Uint64(static_cast<std::uint64_t>(v));
    return *this;
  }
  /// A measured quantity (a probability), never money. NaN and infinities have
  /// no JSON form: they are written as null.
  object_writer& real(std::string_view key, double v) {
    key_(key);
    if (std::isfinite(v))
      w_.Double(v);
    else
      w_.Null();
    return *this;
  }
  object_writer& flag(std::string_view key, bool v) {
    key_(key);
    w_.Bool(v);
    return *this;
  }
  object_writer& null(std::string_view key) {
    key_(key);
    w_.Null();
    return *this;
  }
  /// `json` is one complete JSON value produced by this writer (a record's
  /// encoding), embedded as it is.
  object_writer& raw(std::string_view key, std::string_view json) {
    key_(key);
    w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }

  /// A nested object as the value of `key`, or as the next element of an array.
  object_writer& open(std::string_view key) {
    key_(key);
    w_.StartObject();
    return *this;
  }
  object_writer& open() {
    w_.StartObject();
    return *this;
  }
  object_writer& close() {
    w_.EndObject();
    return *this;
  }
  object_writer& open_array(std::string_view key) {
    key_(key);
    w_.StartArray();
    return *this;
  }
  /// A string as the next element of an array.
  object_writer& item(std::string_view v) {
    string_(v);
    return *this;
  }
  object_writer& close_array() {
    w_.EndArray();
    return *this;
  }

  std::string take() {
    w_.EndObject();
    return {buf_.GetString(), buf_.GetSize()};
  }

private:
  void key_(std::string_view k) {
    if (is_valid_utf8(k)) {
      w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    } else {
      auto clean = sanitize_utf8(k);
      w_.Key(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
    }
  }
  void string_(std::string_view v) {
    if (is_valid_utf8(v)) {
      w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    } else {
      auto clean = sanitize_utf8(v);
      w_.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
    }
  }

  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

} // namespace tdmaker::json
