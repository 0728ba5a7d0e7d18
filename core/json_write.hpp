#pragma once
// One flat JSON object, field by field: the shape every record encoder writes.
#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace tdmaker::json {

class object_writer {
public:
  object_writer() : w_(buf_) { w_.StartObject(); }
  object_writer& str(const char* key, std::string_view v) {
    w_.Key(key);
    w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    return *this;
  }
  object_writer& num(const char* key, std::int64_t v) {
    w_.Key(key);
    w_.Int64(v);
    return *this;
  }
  object_writer& flag(const char* key, bool v) {
    w_.Key(key);
    w_.Bool(v);
    return *this;
  }
  std::string take() {
    w_.EndObject();
    return {buf_.GetString(), buf_.GetSize()};
  }

private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

} // namespace tdmaker::json
