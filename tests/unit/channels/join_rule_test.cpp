// Who may join: anyone, authenticated, ownUser.
#include "channels/join_rule.hpp"

#include <gtest/gtest.h>

namespace sg::channels {
namespace {

Identity user(std::string id, CredentialKind kind = CredentialKind::Jwt) {
  Identity who;
  who.user_id = std::move(id);
  who.kind = kind;
  return who;
}

const TopicParams kUser42{{"user_id", "42"}};

TEST(JoinRule, AnyoneAdmitsAnonymous) {
  EXPECT_TRUE(anyone()(Identity{}, {}));
  EXPECT_TRUE(anyone()(user("1"), kUser42));
}

TEST(JoinRule, AuthenticatedRefusesAnonymous) {
  auto rule = authenticated();
  EXPECT_FALSE(rule(Identity{}, {}));
  EXPECT_TRUE(rule(user("1"), {}));
  EXPECT_TRUE(rule(user("1", CredentialKind::Ticket), {}));
  // A credential that names no user is not an authenticated user.
  EXPECT_FALSE(rule(user("", CredentialKind::Jwt), {}));
}

TEST(JoinRule, OwnUserAdmitsOnlyThatUser) {
  auto rule = ownUser();
  EXPECT_TRUE(rule(user("42"), kUser42));
  EXPECT_FALSE(rule(user("7"), kUser42));
  EXPECT_FALSE(rule(user("4"), kUser42));
  EXPECT_FALSE(rule(user("420"), kUser42));
}

TEST(JoinRule, OwnUserRefusesAnonymousEvenWithAMatchingId) {
  Identity anon;
  anon.user_id = "42";  // anonymous kind wins over a stray id
  EXPECT_FALSE(ownUser()(anon, kUser42));
}

TEST(JoinRule, OwnUserRefusesWhenTheParamIsMissing) {
  EXPECT_FALSE(ownUser()(user("42"), {}));
  EXPECT_FALSE(ownUser("owner")(user("42"), kUser42));
  EXPECT_TRUE(ownUser("owner")(user("42"), TopicParams{{"owner", "42"}}));
}

TEST(JoinRule, OwnUserRefusesEmptyIds) {
  EXPECT_FALSE(ownUser()(user(""), TopicParams{{"user_id", ""}}));
}

}  // namespace
}  // namespace sg::channels
