#include "attack_report.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <thread>
#include <vector>

namespace sg::attack {
namespace {

using bench::latencyLine;
using bench::printLine;

double mib(long kib) { return static_cast<double>(kib) / 1024.0; }

// "12 x 4401 token_invalid, 3 x 4429 rate_limited", most frequent first.
std::string tallyLine(const Tally& tally, std::size_t max_items = 6) {
  std::vector<std::pair<std::uint64_t, std::string>> items;
  for (const auto& [label, n] : tally) items.emplace_back(n, label);
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max_items; ++i) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} x {}", items[i].first, items[i].second);
  }
  if (items.size() > max_items) out += fmt::format(", +{} more", items.size() - max_items);
  return out.empty() ? "none" : out;
}

std::uint64_t sum(const Tally& tally) {
  std::uint64_t n = 0;
  for (const auto& [label, count] : tally) n += count;
  return n;
}

// One line per kind of attack: how many, and how the server answered them.
void printKinds(const KindTally& tally) {
  for (const auto& [kind, outcomes] : tally.byKind()) {
    fmt::print("    {:<26} {:>7}  {}\n", kind, sum(outcomes), tallyLine(outcomes, 4));
  }
}

// The reason of a close label "4401 token_invalid" or "4429 rate_limited: over a cap";
// empty for "http 431", "timeout", "1009"...
std::string reasonOf(const std::string& label) {
  if (label.size() < 6 || label[4] != ' ' || !std::isdigit(static_cast<unsigned char>(label[0]))) return {};
  std::size_t end = 5;
  while (end < label.size() && (std::islower(static_cast<unsigned char>(label[end])) || label[end] == '_')) ++end;
  return label.substr(5, end - 5);
}

void printLegit(const RunFigures& run) {
  const auto& o = *run.options;
  const auto& l = run.legit;
  const auto& s = *run.legit_shared;
  fmt::print("== legitimate clients: {} from {} on, one address each; sign-in, ticket, join during the attack\n",
             l.clients, o.legit_first_ip);
  printLine("joined", fmt::format("{} of {}", l.joined, l.clients), "all");
  if (!l.failures.empty()) printLine("never joined", tallyLine(l.failures));
  printLine("join latency", latencyLine(s.join) + fmt::format("  ({} joins)", s.join.count()));
  printLine("sign-in (login)", latencyLine(s.login));
  if (l.retries)
    printLine("told to retry",
              fmt::format("{} sign-in or ticket requests answered 429/503, retried after Retry-After", l.retries));
  printLine("ticket request", latencyLine(s.ticket));
  if (!l.reconnects.empty()) {
    printLine("reconnected", tallyLine(l.reconnects) + " (refused, then retried as DESIGN §4 advises)");
  }
  printLine("login to joined", latencyLine(s.sign_in_to_joined));
  printLine("re-joins", fmt::format("{} ok, {} failed (second socket, fresh ticket, every ~{} s)", l.churn_ok,
                                    sum(l.churn_failures), o.churn_s));
  if (!l.churn_failures.empty()) printLine("re-join failures", tallyLine(l.churn_failures));
  printLine("disconnects", sum(l.disconnects) ? tallyLine(l.disconnects) : "0", "0");
  const auto& p = run.published;
  printLine("broadcasts",
            fmt::format("{} planned at {:.0f}/s, {} accepted (202), {} refused{}", run.broadcasts_planned,
                        o.broadcast_rate, p.accepted, p.refused, p.error.empty() ? "" : ", error: " + p.error));
  std::uint64_t lost = l.expected > l.received ? l.expected - l.received : 0;
  printLine("deliveries",
            fmt::format("{} expected, {} received, {} lost ({} clients missing some), {} duplicates", l.expected,
                        l.received, lost, l.clients_missing_some, l.duplicates),
            "0 lost");
  if (l.joined_late) {
    printLine("joined late",
              fmt::format("{} clients joined after publishing began: owed what followed", l.joined_late));
  }
  printLine("delivery latency", latencyLine(s.delivery));
}

void printIdle(const RunFigures& run) {
  const auto& o = *run.options;
  const auto& f = run.idle;
  fmt::print("== idle sockets: {} that never authenticate, from {} addresses ({} on), re-opened when closed\n",
             o.idle_sockets, o.idle_ips, o.idle_first_ip);
  printLine("handshakes",
            fmt::format("{} attempted, {} upgraded; peak {} open at once", f.attempts, f.upgraded, f.peak_open));
  printLine("admitted, held", latencyLine(f.held) + "  (until auth_timeout)");
  printLine("ended by", tallyLine(f.endings));
}

void printFlood(const RunFigures& run) {
  const auto& o = *run.options;
  const auto& f = run.flood;
  fmt::print("== bad credentials: {:.0f} handshakes/s from {} addresses ({} on), each then joins the victim's topic\n",
             o.flood_rate, o.flood_ips, o.flood_first_ip);
  printLine("handshakes", fmt::format("{} launched ({:.0f}/s), {} skipped (in flight cap), peak {} in flight",
                                      f.launched, run.attack_s > 0 ? static_cast<double>(f.launched) / run.attack_s : 0,
                                      f.skipped, f.peak_in_flight));
  printKinds(f.outcomes);
  printLine("legit replays",
            fmt::format("{} presentations of tickets the legitimate clients had used", f.legit_replays));
  printLine("replay races",
            fmt::format("{} races of {} sockets: {} with one winner, {} with none, {} extra winners", f.races,
                        o.race_width, f.races_one_winner, f.races_no_winner, f.race_extra_wins),
            "<= 1 winner");
  printLine("controls", fmt::format("{} valid credentials accepted on first use (races and the victim's own cookie): "
                                    "the tool sees an acceptance",
                                    f.controls_accepted));
  if (f.mint_failures) printLine("mint failures", std::to_string(f.mint_failures));
  printLine("BAD ACCEPTED", f.bad_accepted ? tallyLine(f.bad_by_kind) : "0", "0");
}

void printSlowloris(const RunFigures& run) {
  const auto& o = *run.options;
  const auto& f = run.slowloris;
  fmt::print("== slowloris: {} HTTP connections from {} addresses ({} on), a byte every {} ms, re-opened when closed\n",
             o.slowloris, o.slowloris_ips, o.slowloris_first_ip, o.slowloris_byte_ms);
  printLine("connections",
            fmt::format("{} opened, {} bytes trickled, peak {} open at once", f.opened, f.bytes_sent, f.peak_open));
  printLine("held open", latencyLine(f.held));
  printKinds(f.endings);
}

void printJunk(const RunFigures& run) {
  const auto& o = *run.options;
  const auto& f = run.junk;
  fmt::print("== junk: {} sockets at a time from {} on, bare or with the attacker's own ticket\n", o.junk_workers,
             o.junk_first_ip);
  printLine("sockets",
            fmt::format("{} ({:.1f} MiB of junk sent)", f.sockets, static_cast<double>(f.bytes_sent) / 1048576));
  printKinds(f.outcomes);
  if (f.mint_failures) printLine("mint failures", std::to_string(f.mint_failures));
  printLine("PRIVATE JOINS", std::to_string(f.private_joins_accepted), "0");
}

void printLoginFlood(const RunFigures& run) {
  const auto& o = *run.options;
  const auto& f = run.login_flood;
  fmt::print(
      "== password guessing: POST /api/accounts/login with wrong passwords, {} in flight from each of {} "
      "addresses ({} on)\n",
      o.login_flood_in_flight, o.login_flood_ips, o.login_flood_first_ip);
  printLine("attempts", fmt::format("{} ({:.0f}/s)", f.attempts,
                                    run.attack_s > 0 ? static_cast<double>(f.attempts) / run.attack_s : 0));
  printLine("answers", tallyLine(f.answers));
  printLine("hashed (401)", latencyLine(f.hashed));
  printLine("WRONG PASSWORDS OK", std::to_string(f.accepted), "0");
}

void printRefusals(const RunFigures& run) {
  fmt::print("== attacker sockets closed, by reason: seen by the attackers, counted by the server (/metrics)\n");
  Tally seen = run.idle.endings;
  merge(seen, run.flood.outcomes.total());
  merge(seen, run.junk.outcomes.total());
  std::map<std::string, std::uint64_t> by_reason;
  std::map<std::string, std::string> codes;
  Tally other;
  for (const auto& [label, n] : seen) {
    auto reason = reasonOf(label);
    if (reason.empty()) {
      other[label] += n;
    } else {
      by_reason[reason] += n;
      codes[reason] = label.substr(0, 4);
    }
  }
  const auto* metrics = run.server.metrics ? &*run.server.metrics : nullptr;
  std::map<std::string, std::pair<double, double>> server;  // reason -> refusals, closes
  if (metrics) {
    for (const auto& [name, value] : *metrics) {
      if (name.starts_with("sockguard_refusals_total{")) server[labelOf(name, "reason")].first = value;
      if (name.starts_with("sockguard_closes_total{")) server[labelOf(name, "reason")].second = value;
    }
  }
  std::set<std::string> reasons;
  for (const auto& [r, n] : by_reason) reasons.insert(r);
  for (const auto& [r, v] : server)
    if (v.first > 0 || v.second > 0) reasons.insert(r);
  fmt::print("    {:<26} {:>9} {:>16} {:>14}\n", "close code and reason", "seen", "server refusals", "server closes");
  for (const auto& r : reasons) {
    auto it = server.find(r);
    auto count = [&](bool refusals) {
      if (!metrics || it == server.end()) return std::string("n/a");
      return fmt::format("{:.0f}", refusals ? it->second.first : it->second.second);
    };
    fmt::print("    {:<26} {:>9} {:>16} {:>14}\n", fmt::format("{} {}", codes.count(r) ? codes[r] : "    ", r),
               by_reason.count(r) ? by_reason[r] : 0, count(true), count(false));
  }
  if (!other.empty()) printLine("other endings", tallyLine(other, 8));
  if (metrics) {
    auto value = [&](const std::string& name) {
      auto it = metrics->find(name);
      return it == metrics->end() ? std::string("n/a") : fmt::format("{:.0f}", it->second);
    };
    printLine("server handshakes", fmt::format("{} accepted, {} refused; {} connections total, {} open now",
                                               value("sockguard_handshakes_total{result=\"accepted\"}"),
                                               value("sockguard_handshakes_total{result=\"refused\"}"),
                                               value("sockguard_connections_total"), value("sockguard_connections")));
    printLine("server HTTP", fmt::format("{} requests, {} answered 4xx/5xx", value("sockguard_http_requests_total"),
                                         value("sockguard_http_errors_total")));
  } else {
    printLine("server metrics", "not available");
  }
}

void printServer(const RunFigures& run) {
  const auto& o = *run.options;
  const auto& s = run.server;
  fmt::print("== server (pid {}), sharing the machine's {} cores with this tool\n", o.server_pid,
             std::thread::hardware_concurrency());
  printLine("RSS",
            fmt::format("{:.1f} MiB before the attack, peak {:.1f} MiB sampled during it, {:.1f} MiB peak "
                        "since start (VmHWM)",
                        mib(s.baseline_kib), mib(s.peak_sampled_kib), mib(s.peak_kib)),
            fmt::format("< {} MiB", o.rss_bound_mib));
  printLine("CPU (% of 1 core)",
            fmt::format("server {:.0f} % ({:.1f} s), this tool {:.0f} % ({:.1f} s), over {:.1f} s", s.cpu.server_pct,
                        s.cpu.server_s, s.cpu.loadgen_pct, s.cpu.loadgen_s, run.attack_s));
  printLine("alive at the end", s.alive ? "yes" : "NO", "yes");
}

}  // namespace

void printReport(const RunFigures& run) {
  printLegit(run);
  printIdle(run);
  printFlood(run);
  printSlowloris(run);
  printJunk(run);
  printLoginFlood(run);
  printRefusals(run);
  printServer(run);
}

Verdict judge(const RunFigures& run) {
  Verdict v;
  const auto& o = *run.options;
  const auto& l = run.legit;
  auto fail = [&](std::string what) { v.failures.push_back(std::move(what)); };
  auto tool = [&](std::string what) { v.tool_errors.push_back(std::move(what)); };

  if (run.flood.bad_accepted)
    fail(fmt::format("{} bad credentials accepted: {}", run.flood.bad_accepted, tallyLine(run.flood.bad_by_kind)));
  if (run.login_flood.accepted) fail(fmt::format("{} logins with a wrong password accepted", run.login_flood.accepted));
  if (run.junk.private_joins_accepted)
    fail(fmt::format("{} joins of another user's private topic accepted", run.junk.private_joins_accepted));
  if (l.joined < l.clients)
    fail(fmt::format("{} of {} legitimate clients never joined: {}", l.clients - l.joined, l.clients,
                     tallyLine(l.failures)));
  if (sum(l.disconnects))
    fail(fmt::format("{} legitimate disconnects: {}", sum(l.disconnects), tallyLine(l.disconnects)));
  if (sum(l.churn_failures))
    fail(fmt::format("{} legitimate re-joins failed: {}", sum(l.churn_failures), tallyLine(l.churn_failures)));
  std::uint64_t lost = l.expected > l.received ? l.expected - l.received : 0;
  if (lost) fail(fmt::format("{} broadcasts lost ({} clients missing some)", lost, l.clients_missing_some));
  if (run.published.refused || !run.published.error.empty()) {
    fail(fmt::format("broadcast API: {} refused{}", run.published.refused,
                     run.published.error.empty() ? "" : ", " + run.published.error));
  }
  if (!run.server.alive) fail("the server is not running at the end");
  long peak = std::max(run.server.peak_kib, run.server.peak_sampled_kib);
  if (peak <= 0)
    tool("no RSS figure for the server (is --server-pid right?)");
  else if (peak > o.rss_bound_mib * 1024)
    fail(fmt::format("server RSS peaked at {:.1f} MiB, over {} MiB", mib(peak), o.rss_bound_mib));

  // The run must have been able to see what it checks.
  if (run.published.accepted == 0) tool("no broadcast was published");
  if (o.idle_sockets && run.idle.upgraded == 0) tool("no idle socket was ever upgraded");
  if (o.flood_rate > 0 && run.flood.launched == 0) tool("the bad-credential flood never ran");
  if (o.flood_rate > 0 && run.flood.controls_accepted == 0)
    tool("no control credential was accepted: the tool cannot see acceptances");
  if (o.flood_rate > 0 && run.flood.legit_replays == 0) tool("no legitimate ticket was replayed");
  if (o.slowloris && run.slowloris.opened == 0) tool("no slowloris connection opened");
  if (o.junk_workers && run.junk.sockets == 0) tool("no junk was sent");
  if (o.login_flood_ips && run.login_flood.attempts == 0) tool("no password was guessed");
  if (!run.server.metrics) tool("/metrics could not be read");
  return v;
}

void printVerdict(const Verdict& v) {
  fmt::print("== verdict\n");
  if (v.failures.empty() && v.tool_errors.empty()) {
    fmt::print(
        "  PASS: no bad credential accepted, no legitimate client refused or disconnected, no broadcast lost, "
        "memory under the bound\n");
    return;
  }
  for (const auto& f : v.failures) fmt::print("  FAIL: {}\n", f);
  for (const auto& e : v.tool_errors) fmt::print("  TOOL ERROR: {}\n", e);
}

}  // namespace sg::attack
