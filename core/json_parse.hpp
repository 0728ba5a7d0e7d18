#pragma once
// The one way bytes from outside become a RapidJSON document. RapidJSON's DOM
// parser recurses once per nesting level, so a few hundred KB of "[[[[" overflows
// the stack (a SIGSEGV with no log line, issue 14). The text is measured first, in
// one pass without recursion (size, then nesting depth), and only then parsed; the
// depth bound also bounds every later walk of the tree.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/result.hpp"

namespace tdmaker::json {

struct limits {
  std::size_t max_bytes = 16u << 20; // a market-channel snapshot of many books is large
  int max_depth = 64;                // Polymarket's deepest message nests 4 levels
};

/// Empty when `text` is within `lim`; otherwise why not, with the offset.
std::string check_limits(std::string_view text, const limits& lim = {});

/// "invalid JSON at offset N: <RapidJSON's reason>".
std::string parse_error_text(const rapidjson::Document& doc);

/// Checks `text` against `lim`, then parses it into `doc` with `Flags`.
template <unsigned Flags = rapidjson::kParseDefaultFlags>
result<bool> parse(rapidjson::Document& doc, std::string_view text, const limits& lim = {}) {
  if (auto why = check_limits(text, lim); !why.empty())
    return fail(std::move(why));
  doc.Parse<Flags>(text.data(), text.size());
  if (doc.HasParseError())
    return fail(parse_error_text(doc));
  return true;
}

/// A document reused for every frame of a stream that does not grow. A plain
/// Document reused across parses keeps every parse's nodes in its memory pool
/// (~500 bytes a frame: the feed leak of issue 14). This one's pool starts in a
/// fixed buffer, allocated once, and is emptied before each parse, so a frame that
/// fits the buffer allocates nothing and a larger one frees its extra chunks at the
/// next parse. What a parse produced is valid until the next parse.
class reusable_document {
public:
  explicit reusable_document(std::size_t buffer_bytes = 64 * 1024);
  reusable_document(const reusable_document&) = delete;
  reusable_document& operator=(const reusable_document&) = delete;

  template <unsigned Flags = rapidjson::kParseDefaultFlags>
  result<bool> parse(std::string_view text, const limits& lim = {}) {
    reset();
    return json::parse<Flags>(doc_, text, lim);
  }
  rapidjson::Document& doc() { return doc_; }
  /// Bytes the pool holds now (the fixed buffer plus chunks of the last parse).
  std::size_t pool_capacity() const { return pool_.Capacity(); }

private:
  void reset();

  std::unique_ptr<char[]> buffer_;
  rapidjson::MemoryPoolAllocator<> pool_;
  rapidjson::Document doc_;
};

} // namespace tdmaker::json
