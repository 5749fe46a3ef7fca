#include "app/graphql_service.hpp"

#include "app/graphql_schema.hpp"
#include "core/errors.hpp"

#include <stdexcept>

namespace sg::app {
namespace json = boost::json;
using graphql::Completion;
using graphql::FieldCall;
using graphql::FieldResult;

namespace {

GraphqlCaller& callerOf(const FieldCall& call) { return *static_cast<GraphqlCaller*>(call.context); }

// A GraphQL field error carrying the same code (and retry hint) as the REST answer.
FieldResult failed(const ApiFailure& failure) {
  json::object extensions{{"code", failure.code}, {"status", failure.status}};
  if (failure.retry_after_s) extensions["retryAfter"] = *failure.retry_after_s;
  return graphql::fieldError(failure.message, std::move(extensions));
}

// Completes a field later, on the execution's thread: the services answer from pools.
class Later {
 public:
  Later(GraphqlCaller& caller, Completion done)
      : post_(caller.post), done_(std::make_shared<Completion>(std::move(done))) {}
  void operator()(FieldResult result) const {
    post_([done = done_, result = std::move(result)]() mutable { (*done)(std::move(result)); });
  }

 private:
  std::function<void(std::function<void()>)> post_;
  std::shared_ptr<Completion> done_;
};

ApiFailure overHttpOnly() {
  return apiFailure(400, "bad_request", "signing in and out set the session cookie: use HTTP (POST /api/graphql)");
}

json::object accountJson(const store::Account& account) { return {{"id", account.id}, {"email", account.email}}; }

std::string stringArg(const FieldCall& call, std::string_view name) {
  const auto* v = call.args.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

const graphql::ast::OperationDefinition* chosenOperation(const graphql::ast::Document& document,
                                                         std::string_view operation_name) {
  if (operation_name.empty()) return document.operations.size() == 1 ? &document.operations.front() : nullptr;
  for (const auto& op : document.operations) {
    if (op.name == operation_name) return &op;
  }
  return nullptr;
}

GraphqlService::GraphqlService(std::shared_ptr<AccountsService> accounts, TicketMinting& minting,
                               auth::SessionLookup* sessions)
    : accounts_(std::move(accounts)), minting_(minting), sessions_(sessions) {
  auto schema = graphql::Schema::fromSdl(std::string(applicationSchemaSdl()));
  if (!schema) throw std::logic_error("the application's GraphQL schema does not build: " + schema.error().front().message);
  engine_ = std::make_unique<graphql::Engine>(*schema, resolvers());
}

// A ticket for `who`, bound to the caller's client IP and Origin.
template <typename Later>
void GraphqlService::mintFor(const Identity& who, GraphqlCaller& caller, Later later) {
  minting_.mintFor(who, caller.account.ip, caller.origin, [&caller, later](ApiResult<tickets::Minted> minted) {
    if (!minted) return later(failed(minted.error()));
    later(json::value(json::object{
        {"ticket", minted->ticket}, {"expiresIn", minted->expires_in.count()}, {"socketUrl", caller.socket_url}}));
  });
}

graphql::Resolvers GraphqlService::resolvers() {
  graphql::Resolvers r;
  r.on("Query", "accountsMe", [this](const FieldCall& call, Completion done) {
    auto& caller = callerOf(call);
    if (caller.identity) {
      if (caller.identity->anonymous()) return done(json::value(nullptr));
      return accounts_->account(caller.identity->user_id,
                                [later = Later(caller, std::move(done))](ApiResult<store::Account> account) {
                                  if (account) return later(json::value(accountJson(*account)));
                                  if (account.error().status == 401) return later(json::value(nullptr));
                                  later(failed(account.error()));
                                });
    }
    // Signed out is an answer, not an error: null.
    if (!caller.account.session_cookie) return done(json::value(nullptr));
    accounts_->me(caller.account, [later = Later(caller, std::move(done))](ApiResult<SessionView> me) {
      if (me) return later(json::value(accountJson(me->account)));
      if (me.error().status == 401) return later(json::value(nullptr));  // the session has ended
      later(failed(me.error()));
    });
  });

  auto signIn = [this](bool registering) {
    return [this, registering](const FieldCall& call, Completion done) {
      auto& caller = callerOf(call);
      if (caller.identity) return done(failed(overHttpOnly()));
      auto answer = [&caller, later = Later(caller, std::move(done))](ApiResult<SessionOut> out) {
        if (!out) return later(failed(out.error()));
        // The cookie goes out with the response; the caller (alive until the execution
        // ends) is written on the execution's thread, by the completion's task.
        std::string cookie = out->set_cookie;
        caller.post([&caller, cookie = std::move(cookie)] { caller.set_cookies.push_back(cookie); });
        later(json::value(json::object{{"account", accountJson(out->account)}, {"csrfToken", out->csrf_token}}));
      };
      if (registering) {
        accounts_->registerAccount(caller.account, stringArg(call, "email"), stringArg(call, "password"),
                                   std::move(answer));
      } else {
        accounts_->login(caller.account, stringArg(call, "email"), stringArg(call, "password"), std::move(answer));
      }
    };
  };
  r.on("Mutation", "accountsRegister", signIn(true));
  r.on("Mutation", "accountsLogin", signIn(false));

  r.on("Mutation", "accountsLogout", [this](const FieldCall& call, Completion done) {
    auto& caller = callerOf(call);
    if (caller.identity) return done(failed(overHttpOnly()));
    accounts_->logout(caller.account, [&caller, later = Later(caller, std::move(done))](ApiResult<SignedOut> out) {
      if (!out) return later(failed(out.error()));
      caller.post([&caller, cookie = out->set_cookie] { caller.set_cookies.push_back(cookie); });
      later(json::value(true));
    });
  });

  r.on("Mutation", "socketTicket", [this](const FieldCall& call, Completion done) {
    auto& caller = callerOf(call);
    Later later(caller, std::move(done));
    if (caller.identity) {
      if (caller.identity->anonymous()) {
        return later(failed(credentialRefused(CloseReason::MissingCredentials, "sign in first")));
      }
      return mintFor(*caller.identity, caller, later);
    }
    const auto& a = caller.account;
    if (!a.session_cookie || !sessions_) {
      return later(failed(credentialRefused(CloseReason::MissingCredentials, "sign in first")));
    }
    // Browsers send cookies on cross-site requests too: the CSRF token proves the page is ours.
    if (!a.csrf_header) return later(failed(apiFailure(403, "csrf_required", "X-CSRF-Token header required")));
    auth::checkSession(*sessions_, *a.session_cookie, *a.csrf_header,
                       [this, &caller, later](boost::system::result<auth::SessionInfo> s) {
                         if (!s && s.error() == Errc::csrf_mismatch) {
                           return later(failed(apiFailure(403, "csrf_invalid", "X-CSRF-Token does not match the session")));
                         }
                         if (!s && isTransient(s.error())) {
                           return later(failed(credentialRefused(CloseReason::ServerBusy, "sessions cannot be read now")));
                         }
                         if (!s) return later(failed(credentialRefused(CloseReason::TokenInvalid, "session is not valid")));
                         mintFor(auth::sessionIdentity(*s), caller, later);
                       });
  });
  return r;
}

}  // namespace sg::app
