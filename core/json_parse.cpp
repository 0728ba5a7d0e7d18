#include "core/json_parse.hpp"

#include <rapidjson/error/en.h>

namespace tdmaker::json {

std::string check_limits(std::string_view text, const limits& lim) {
  if (text.size() > lim.max_bytes)
    return "JSON text of " + std::to_string(text.size()) + " bytes is over the limit of "
           + std::to_string(lim.max_bytes);
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i; // the escaped character cannot end the string
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
    case '"':
      in_string = true;
      break;
    case '[':
    case '{':
      if (++depth > lim.max_depth)
        return "JSON nested deeper than " + std::to_string(lim.max_depth) + " levels at offset "
               + std::to_string(i);
      break;
    case ']':
    case '}':
      --depth; // unbalanced text is the parser's to report
      break;
    default:
      break;
    }
  }
  return {};
}

std::string parse_error_text(const rapidjson::Document& doc) {
  return "invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": "
         + rapidjson::GetParseError_En(doc.GetParseError());
}

reusable_document::reusable_document(std::size_t buffer_bytes)
    : buffer_(new char[buffer_bytes]), pool_(buffer_.get(), buffer_bytes), doc_(&pool_) {}

void reusable_document::reset() {
  // Nothing may point into the pool once it is emptied: the tree goes first.
  doc_.SetNull();
  pool_.Clear();
}

} // namespace tdmaker::json
