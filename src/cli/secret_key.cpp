#include "cli/secret_key.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace sg::cli {

std::optional<std::string> loadOrCreateSecretKey(const std::string& data_dir, std::string* error) {
  std::string path = data_dir + "/secret_key";
  // O_EXCL: of two servers starting on one data dir, one creates and both read the same key.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd >= 0) {
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    bool ok = ::write(fd, hex, 64) == 64 && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      *error = "cannot write " + path + ": " + std::strerror(errno);
      ::unlink(path.c_str());
      return std::nullopt;
    }
  } else if (errno != EEXIST) {
    *error = "cannot create " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    *error = path + " is readable by other users; chmod 600 it";
    return std::nullopt;
  }
  std::ifstream in(path);
  std::string key;
  std::getline(in, key);
  if (key.size() < 32) {
    *error = path + " is empty or too short (want at least 32 characters)";
    return std::nullopt;
  }
  return key;
}

}  // namespace sg::cli
