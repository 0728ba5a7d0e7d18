#include "core/series.hpp"

#include <array>
#include <charconv>

#include "core/civil_time.hpp"

namespace tdmaker {
namespace {

constexpr std::array<std::string_view, 7> assets_{"btc", "eth", "sol", "xrp", "doge", "bnb", "hype"};
constexpr std::array<std::string_view, 7> coins_{"bitcoin", "ethereum", "solana", "xrp", "dogecoin", "bnb",
                                                 "hyperliquid"};
constexpr std::array<std::string_view, 12> months_{"january", "february", "march",     "april",   "may",      "june",
                                                   "july",    "august",   "september", "october", "november", "december"};

bool lower_word(std::string_view s, std::size_t lo, std::size_t hi) {
  if (s.size() < lo || s.size() > hi)
    return false;
  for (char c : s)
    if (c < 'a' || c > 'z')
      return false;
  return true;
}

/// A decimal of 1..12 digits without sign or leading zero; -1 otherwise.
std::int64_t small_number(std::string_view s) {
  if (s.empty() || s.size() > 12 || (s.size() > 1 && s[0] == '0'))
    return -1;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() ? v : -1;
}

int month_of(std::string_view name) {
  for (std::size_t i = 0; i < months_.size(); ++i)
    if (months_[i] == name)
      return static_cast<int>(i) + 1;
  return 0;
}

std::string asset_of_coin(std::string_view coin) {
  for (std::size_t i = 0; i < coins_.size(); ++i)
    if (coins_[i] == coin)
      return std::string(assets_[i]);
  return {};
}

/// "30s" -> 30, "5m" -> 300; -1 for anything else.
std::int64_t timestamped_seconds(std::string_view label) {
  if (label.size() < 2)
    return -1;
  const auto n = small_number(label.substr(0, label.size() - 1));
  if (n <= 0 || n > 86400)
    return -1;
  switch (label.back()) {
    case 's': return n;
    case 'm': return n * 60 <= 86400 ? n * 60 : -1;
    case 'h': return n * 3600 <= 86400 ? n * 3600 : -1;
    default: return -1;
  }
}

civil_date eastern_date(std::int64_t unix_s, unsigned* hour = nullptr) {
  const auto local = unix_s + eastern_offset_s(unix_s);
  const auto days = local / 86400 - (local % 86400 < 0);
  if (hour)
    *hour = static_cast<unsigned>((local - days * 86400) / 3600);
  return civil_from_days(days);
}

std::string date_words(const civil_date& d) {
  return std::string(months_[d.month - 1]) + "-" + std::to_string(d.day);
}

/// The start of the ET-named slot in the year nearest `near_s`; -1 when the date does not exist.
std::int64_t nearest_start(slug_shape shape, unsigned month, unsigned day, unsigned hour, std::int64_t near_s) {
  const auto year = eastern_date(near_s).year;
  std::int64_t best = -1;
  for (auto y = year - 1; y <= year + 1; ++y) {
    if (civil_from_days(days_from_civil(y, month, day)).day != day)
      continue; // February 30th and the like
    std::int64_t start = 0;
    if (shape == slug_shape::hourly_et) {
      start = unix_of_eastern(y, month, day, hour);
    } else { // noon the day before the named date
      const auto prev = civil_from_days(days_from_civil(y, month, day) - 1);
      start = unix_of_eastern(prev.year, prev.month, prev.day, 12);
    }
    auto dist = [&](std::int64_t t) { return t > near_s ? t - near_s : near_s - t; };
    if (best < 0 || dist(start) < dist(best))
      best = start;
  }
  return best;
}

result<slug_parts> parse_timestamped(std::string_view slug) {
  // {asset}-updown-{label}-{start}
  auto a = slug.find("-updown-");
  if (a == std::string_view::npos)
    return fail("not an Up/Down slug");
  auto rest = slug.substr(a + 8);
  auto dash = rest.find('-');
  if (dash == std::string_view::npos)
    return fail("slug has no start time");
  slug_parts p;
  p.asset = std::string(slug.substr(0, a));
  p.label = std::string(rest.substr(0, dash));
  p.start_s = small_number(rest.substr(dash + 1));
  if (!lower_word(p.asset, 2, 10))
    return fail("slug asset '" + p.asset.substr(0, 16) + "' is not 2-10 lower-case letters");
  if (timestamped_seconds(p.label) < 0)
    return fail("slug duration '" + p.label.substr(0, 16) + "' is not a length like 5m, 15m or 4h");
  if (p.start_s < 0)
    return fail("slug start is not a Unix time in seconds");
  return p;
}

result<slug_parts> parse_eastern(std::string_view slug, std::int64_t near_s) {
  auto a = slug.find("-up-or-down-");
  slug_parts p;
  p.asset = asset_of_coin(slug.substr(0, a));
  if (p.asset.empty())
    return fail("slug coin '" + std::string(slug.substr(0, std::min<std::size_t>(a, 16))) + "' is not a known coin");
  auto rest = slug.substr(a + 12);
  const bool daily = rest.rfind("on-", 0) == 0;
  if (daily)
    rest.remove_prefix(3);
  auto d1 = rest.find('-');
  if (d1 == std::string_view::npos)
    return fail("slug has no date");
  const int month = month_of(rest.substr(0, d1));
  rest.remove_prefix(d1 + 1);
  auto d2 = rest.find('-');
  const auto day = small_number(rest.substr(0, d2));
  if (month == 0 || day < 1 || day > 31)
    return fail("slug date is not '{month}-{day}'");
  unsigned hour = 12;
  if (daily) {
    if (d2 != std::string_view::npos)
      return fail("daily slug has text after its date");
    p.label = "1d";
    p.shape = slug_shape::daily_et;
  } else {
    // {h}{am|pm}-et
    auto tail = d2 == std::string_view::npos ? std::string_view{} : rest.substr(d2 + 1);
    if (tail.size() < 6 || tail.substr(tail.size() - 3) != "-et")
      return fail("hourly slug does not end in '{h}am-et' or '{h}pm-et'");
    auto ampm = tail.substr(tail.size() - 5, 2);
    auto h = small_number(tail.substr(0, tail.size() - 5));
    if ((ampm != "am" && ampm != "pm") || h < 1 || h > 12)
      return fail("hourly slug hour is not 1-12 am/pm");
    hour = static_cast<unsigned>(h % 12 + (ampm == "pm" ? 12 : 0));
    p.label = "1h";
    p.shape = slug_shape::hourly_et;
  }
  p.start_s = nearest_start(p.shape, static_cast<unsigned>(month), static_cast<unsigned>(day), hour, near_s);
  if (p.start_s < 0)
    return fail("slug date does not exist");
  return p;
}

} // namespace

const std::vector<std::string>& known_assets() {
  static const std::vector<std::string> v(assets_.begin(), assets_.end());
  return v;
}

const std::vector<std::string>& known_durations() {
  static const std::vector<std::string> v{"5m", "15m", "1h", "4h", "1d"};
  return v;
}

result<std::string> coin_name(std::string_view asset) {
  for (std::size_t i = 0; i < assets_.size(); ++i)
    if (assets_[i] == asset)
      return std::string(coins_[i]);
  return fail("asset '" + std::string(asset.substr(0, 16)) + "' has no hourly or daily series (known: btc eth sol xrp doge bnb hype)");
}

result<series_spec> make_series(std::string_view asset, std::string_view duration) {
  if (!lower_word(asset, 2, 10))
    return fail("asset '" + std::string(asset.substr(0, 16)) + "' is not 2-10 lower-case letters");
  series_spec s;
  s.asset = std::string(asset);
  s.label = std::string(duration);
  if (duration == "1h" || duration == "1d") {
    if (auto c = coin_name(asset); !c)
      return fail(c.error());
    s.shape = duration == "1h" ? slug_shape::hourly_et : slug_shape::daily_et;
    s.nominal_s = duration == "1h" ? 3600 : 86400;
  } else {
    s.nominal_s = timestamped_seconds(duration);
    if (s.nominal_s < 5)
      return fail("duration '" + std::string(duration.substr(0, 16))
                  + "' is not one of 5m 15m 1h 4h 1d (or a test length like 30s, 5 s to 24 h)");
  }
  s.slot_s = s.nominal_s;
  s.gamma_series = s.asset + "-up-or-down-" + s.label;
  return s;
}

std::string slot_length_label(std::int64_t seconds) {
  return seconds % 60 == 0 ? std::to_string(seconds / 60) + "m" : std::to_string(seconds) + "s";
}

std::string series_slug(const series_spec& s, std::int64_t start_s) {
  switch (s.shape) {
    case slug_shape::timestamped:
      return s.asset + "-updown-" + s.label + "-" + std::to_string(start_s);
    case slug_shape::hourly_et: {
      unsigned hour = 0;
      auto d = eastern_date(start_s, &hour);
      auto h12 = hour % 12 == 0 ? 12u : hour % 12;
      return *coin_name(s.asset) + "-up-or-down-" + date_words(d) + "-" + std::to_string(h12)
             + (hour < 12 ? "am" : "pm") + "-et";
    }
    case slug_shape::daily_et:
      return *coin_name(s.asset) + "-up-or-down-on-" + date_words(eastern_date(start_s + 86400));
  }
  return {};
}

result<slug_parts> parse_series_slug(std::string_view slug, std::int64_t near_s) {
  if (slug.size() > 96)
    return fail("slug is longer than 96 characters");
  if (slug.find("-up-or-down-") != std::string_view::npos)
    return parse_eastern(slug, near_s);
  return parse_timestamped(slug);
}

std::string slot_matches(const series_spec& s, std::string_view slug, std::int64_t start_s, std::int64_t end_s) {
  auto p = parse_series_slug(slug, start_s);
  if (!p)
    return p.error();
  if (p->asset != s.asset || p->label != s.label || p->shape != s.shape)
    return "slug '" + std::string(slug.substr(0, 64)) + "' is not of series " + s.key();
  // A daily slot of nominal length runs noon to noon Eastern: 23 or 25 hours on DST days.
  const auto len = end_s - start_s;
  const bool dst_day = s.shape == slug_shape::daily_et && s.slot_s == s.nominal_s && (len == 82800 || len == 90000);
  if (len != s.slot_s && !dst_day)
    return "slot of " + std::to_string(end_s - start_s) + " s, the series' slots are " + std::to_string(s.slot_s) + " s";
  // A test venue's scaled-down ET series names nominal hours, not its own starts.
  const bool names_start = s.shape == slug_shape::timestamped || s.slot_s == s.nominal_s;
  if (names_start && p->start_s != start_s)
    return "slug names a start of " + std::to_string(p->start_s) + ", the event starts at " + std::to_string(start_s);
  return {};
}

std::string series_key_of_slug(std::string_view slug) {
  auto p = parse_series_slug(slug, 0);
  return p ? p->asset + "-" + p->label : std::string();
}

} // namespace tdmaker
