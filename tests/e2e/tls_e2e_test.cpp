// The REST client's TLS against a real TLS server (`openssl s_server`) on loopback:
// certificate verification is on, the host name is checked, SNI is sent.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>

#include <doctest/doctest.h>

#include "net/http_client.hpp"
#include "net/io_pool.hpp"
#include "process.hpp"

using namespace tdmaker;

namespace {

struct tls_server {
  pid_t pid = -1;
  ~tls_server() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
};

http_response get(io_pool& io, const std::string& url) {
  auto ep = parse_endpoint(url);
  REQUIRE(ep.ok());
  http_client_options o;
  o.timeout = std::chrono::milliseconds(3000);
  o.max_attempts = 1;
  auto c = http_client::make(io, *ep, o);
  std::promise<http_response> p;
  auto f = p.get_future();
  c->send({"GET", "/", "", {}, retry_rule::never, "general", 1}, [&](http_response r) { p.set_value(std::move(r)); });
  REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  return f.get();
}

} // namespace

TEST_CASE("tls: an untrusted certificate is refused - a trusted one for the right host name works") {
  auto dir = test::temp_dir("tls");
  auto cert = dir + "/cert.pem", key = dir + "/key.pem";
  auto gen = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " + cert
             + " -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost > " + dir + "/gen.log 2>&1";
  REQUIRE_MESSAGE(std::system(gen.c_str()) == 0, test::read_all(dir + "/gen.log"));
  // Port 0: s_server binds a free port and prints "ACCEPT 127.0.0.1:PORT" once it listens.
  auto out = dir + "/server.log";
  tls_server srv;
  srv.pid = fork();
  if (srv.pid == 0) {
    freopen(out.c_str(), "w", stdout);
    freopen(out.c_str(), "a", stderr);
    execlp("openssl", "openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert.c_str(), "-key", key.c_str(),
           "-www", static_cast<char*>(nullptr));
    _exit(127);
  }
  int port = test::announced_port(test::child{srv.pid, out}, "ACCEPT 127.0.0.1:", 20);
  REQUIRE_MESSAGE(port > 0, test::read_all(out));

  // The system trust store does not know a self-signed certificate.
  io_pool io(1);
  auto refused = get(io, "https://localhost:" + std::to_string(port));
  CHECK(refused.status == 0);
  CHECK_MESSAGE(refused.body.find("certificate verify failed") != std::string::npos, refused.body);

  // Trusted, and the name matches: a real HTTPS exchange.
  std::ifstream in(cert);
  std::stringstream pem;
  pem << in.rdbuf();
  auto text = pem.str();
  io_pool trusting(1);
  trusting.tls().add_certificate_authority(boost::asio::buffer(text));
  auto ok = get(trusting, "https://localhost:" + std::to_string(port));
  CHECK_MESSAGE(ok.status == 200, ok.body);

  // Trusted certificate, wrong name: refused by the host name check.
  auto wrong = get(trusting, "https://127.0.0.1:" + std::to_string(port));
  CHECK(wrong.status == 0);
  CHECK_MESSAGE(wrong.body.find("certificate verify failed") != std::string::npos, wrong.body);
}
