#include "core/identity.hpp"

namespace sg {

const char* credentialKindName(CredentialKind kind) {
  switch (kind) {
    case CredentialKind::Anonymous: return "anonymous";
    case CredentialKind::Ticket: return "ticket";
    case CredentialKind::Jwt: return "jwt";
    case CredentialKind::Session: return "session";
    case CredentialKind::ApiKey: return "api_key";
  }
  return "unknown";
}

}  // namespace sg
