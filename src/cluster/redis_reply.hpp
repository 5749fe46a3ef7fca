#pragma once
// A Redis reply, copied out of hiredis's reply object so that it can travel to another
// thread (hiredis frees its own after the callback). An error reply (-ERR ...) is a value
// of type Error: what it means is the caller's to judge. A connection that is down or
// drops before the reply arrives is Errc::unavailable instead.
#include <boost/system/result.hpp>

#include <string>
#include <vector>

namespace sg::cluster {

struct RedisReply {
  enum class Type { Nil, Integer, String, Status, Error, Array };
  Type type = Type::Nil;
  long long integer = 0;
  std::string str;  // String, Status and Error
  std::vector<RedisReply> elements;

  bool isError() const { return type == Type::Error; }
  bool isNil() const { return type == Type::Nil; }
};

using RedisResult = boost::system::result<RedisReply>;

}  // namespace sg::cluster
