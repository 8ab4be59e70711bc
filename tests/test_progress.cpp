// ProgressBar writes plain lines when its output is not a terminal.
#include <catch2/catch.hpp>
#include <ember/errors.h>
#include <ember/progress.h>

#include <sstream>
#include <string>
#include <vector>

namespace {
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream is(text);
  for (std::string l; std::getline(is, l);) lines.push_back(l);
  return lines;
}
}  // namespace

TEST_CASE("progress: plain lines every `every` steps with the running mean loss", "[progress]") {
  std::ostringstream out;
  ember::ProgressBar bar(5, "epoch 1/2", &out, 2);
  const double losses[] = {1.0, 3.0, 2.0, 4.0, 5.0};
  for (double l : losses) bar.update(l, 64);
  bar.finish();
  const auto lines = lines_of(out.str());
  // Steps 2 and 4 by the interval, step 5 as the last; finish() adds nothing after it.
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("epoch 1/2  step 2/5  loss 2.0000", 0) == 0);
  CHECK(lines[0].find("samples/s") != std::string::npos);
  CHECK(lines[0].find("eta ") != std::string::npos);
  CHECK(lines[1].rfind("epoch 1/2  step 4/5  loss 2.5000", 0) == 0);
  CHECK(lines[2].rfind("epoch 1/2  step 5/5  loss 3.0000", 0) == 0);
  CHECK(lines[2].find("took ") != std::string::npos);
  CHECK(bar.mean_loss() == Approx(3.0));
  CHECK(bar.steps() == 5);
}

TEST_CASE("progress: finish prints the last step when the loop stops early", "[progress]") {
  std::ostringstream out;
  ember::ProgressBar bar(100, "", &out);  // default interval: every 10 steps
  for (int i = 0; i < 13; ++i) bar.update(0.5);
  bar.finish();
  bar.finish();  // a second finish prints nothing more
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].rfind("step 10/100  loss 0.5000  eta ", 0) == 0);
  CHECK(lines[1].rfind("step 13/100  loss 0.5000", 0) == 0);
  CHECK(lines[1].find("samples/s") == std::string::npos);  // no sample counts given
}

TEST_CASE("progress: bad arguments name ProgressBar", "[progress]") {
  REQUIRE_THROWS_WITH(ember::ProgressBar(0), Catch::Contains("[ember::ProgressBar]") && Catch::Contains("got 0"));
  std::ostringstream out;
  REQUIRE_THROWS_WITH(ember::ProgressBar(5, "", &out, -1), Catch::Contains("every must be non-negative"));
}
