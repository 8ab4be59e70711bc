// set_printoptions: each option is honoured by operator<< and fmt alike. libtorch's C++
// printer has no print options but takes a line width (at::print(stream, t, linesize)):
// the strings marked "libtorch" were printed by libtorch 1.13 on this machine with that
// width, and ember with set_printoptions(linewidth = the same width) must match them.
#include <catch2/catch.hpp>
#include <ember/ember.h>

#include <sstream>

using namespace ember;

namespace {

std::string str(const Tensor& t) {
  std::ostringstream os;
  os << t;
  const std::string via_fmt = fmt::format("{}", t);
  CHECK(via_fmt == os.str());  // fmt prints what operator<< prints, whatever the options
  return os.str();
}

struct RestoreDefaults {
  ~RestoreDefaults() { set_printoptions(4, 1000, 3, 80, std::nullopt); }
};

std::string with_linewidth(const Tensor& t, int width) {
  set_printoptions(-1, -1, -1, width);
  std::string s = str(t);
  set_printoptions(-1, -1, -1, 80);
  return s;
}

}  // namespace

TEST_CASE("printoptions: linewidth splits columns exactly as libtorch's linesize", "[printing][printoptions]") {
  RestoreDefaults restore;
  const Tensor a = (arange(30, dtype(kFloat)) / 7).view({3, 10});
  // libtorch: at::print(os, a, 40)
  CHECK(with_linewidth(a, 40) ==
        "Columns 1 to 5 0.0000  0.1429  0.2857  0.4286  0.5714\n"
        " 1.4286  1.5714  1.7143  1.8571  2.0000\n"
        " 2.8571  3.0000  3.1429  3.2857  3.4286\n"
        "\n"
        "Columns 6 to 10 0.7143  0.8571  1.0000  1.1429  1.2857\n"
        " 2.1429  2.2857  2.4286  2.5714  2.7143\n"
        " 3.5714  3.7143  3.8571  4.0000  4.1429\n"
        "[ CPUFloatType{3,10} ]");
  // libtorch: at::print(os, a, 60)
  CHECK(with_linewidth(a, 60) ==
        "Columns 1 to 7 0.0000  0.1429  0.2857  0.4286  0.5714  0.7143  0.8571\n"
        " 1.4286  1.5714  1.7143  1.8571  2.0000  2.1429  2.2857\n"
        " 2.8571  3.0000  3.1429  3.2857  3.4286  3.5714  3.7143\n"
        "\n"
        "Columns 8 to 10 1.0000  1.1429  1.2857\n"
        " 2.4286  2.5714  2.7143\n"
        " 3.8571  4.0000  4.1429\n"
        "[ CPUFloatType{3,10} ]");
  // libtorch: at::print(os, t, 30), scientific format chosen from the value range
  CHECK(with_linewidth(tensor({1e-5, 1.0, 1000.0}).view({1, 3}), 30) ==
        "Columns 1 to 2 1.0000e-05  1.0000e+00\n"
        "\n"
        "Columns 3 to 3 1.0000e+03\n"
        "[ CPUFloatType{1,3} ]");
  // libtorch: at::print(os, t, 20)
  CHECK(with_linewidth(tensor({123456.5, 234567.25, 1.5, 2.5}, dtype(kDouble)).view({2, 2}), 20) ==
        "Columns 1 to 1 1.2346e+05\n"
        " 1.5000e+00\n"
        "\n"
        "Columns 2 to 2 2.3457e+05\n"
        " 2.5000e+00\n"
        "[ CPUDoubleType{2,2} ]");
  // libtorch: at::print(os, t, 30) on a 3-d tensor (each matrix slice split alike)
  CHECK(with_linewidth((arange(24, dtype(kFloat)) * 1.5 - 10).view({2, 3, 4}), 30) ==
        "(1,.,.) = \n"
        " Columns 1 to 3 -10.0000  -8.5000  -7.0000\n"
        "  -4.0000  -2.5000  -1.0000\n"
        "   2.0000   3.5000   5.0000\n"
        "\n"
        "Columns 4 to 4  -5.5000\n"
        "   0.5000\n"
        "   6.5000\n"
        "\n"
        "(2,.,.) = \n"
        " Columns 1 to 3   8.0000   9.5000  11.0000\n"
        "  14.0000  15.5000  17.0000\n"
        "  20.0000  21.5000  23.0000\n"
        "\n"
        "Columns 4 to 4  12.5000\n"
        "  18.5000\n"
        "  24.5000\n"
        "[ CPUFloatType{2,3,4} ]");
}
