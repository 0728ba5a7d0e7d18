#pragma once
// What a secret looks like when it turns up where it must not (a config value, a
// key name), and how text from outside is made safe for one log line. Issue 14:
// a private key pasted into a config string was echoed in the error, and a phase
// reason with a newline or ESC could forge log lines.
#include <string>
#include <string_view>

namespace tdmaker {

/// True when `s` contains something shaped like a credential: a run of 32 or more
/// hex digits (a private key, a passphrase, an API secret in hex), a Telegram bot
/// token (digits ':' 30+ token characters), or a run of 40 or more base64/base64url
/// characters mixing upper case, lower case and digits (an API secret). Paths, URLs,
/// names and numbers of a config do not match.
bool looks_like_secret_value(std::string_view s);

/// "a 66-character value": how an error names a value it must not show.
std::string redacted(std::string_view s);

/// `s` for one log line: printable ASCII and well-formed UTF-8 pass; a control
/// character (newline, ESC, DEL...) becomes \n, \r, \t or \xNN, a C1 control
/// (U+0080..U+009F) \u00NN, an ill-formed UTF-8 byte \xNN, and a backslash \\. The
/// result holds no control character, so it can neither end the line nor drive a
/// terminal, and an escape in it cannot be mistaken for one the input spelled.
std::string log_escape(std::string_view s);

/// Empty when `s` is well-formed UTF-8 without control characters (C0, DEL, C1);
/// otherwise why not, naming the byte offset. For text an operator sends that is
/// stored, logged and mirrored to JSON files (a phase-switch reason).
std::string printable_text_problem(std::string_view s);

} // namespace tdmaker
