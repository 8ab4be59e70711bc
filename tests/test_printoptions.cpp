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

TEST_CASE("printoptions: precision, threshold and edgeitems on matrices and 3-d tensors", "[printing][printoptions]") {
  RestoreDefaults restore;
  const Tensor m = arange(100, dtype(kFloat)).view({10, 10}) / 3;
  set_printoptions(/*precision=*/2, /*threshold=*/20, /*edgeitems=*/2);
  CHECK(str(m) ==
        "  0.00   0.33    ...   2.67   3.00\n"
        "  3.33   3.67    ...   6.00   6.33\n"
        "   ...    ...    ...    ...    ...\n"
        " 26.67  27.00    ...  29.33  29.67\n"
        " 30.00  30.33    ...  32.67  33.00\n"
        "[ CPUFloatType{10,10} ]");
  // At or under the threshold nothing is elided.
  CHECK(str(m.narrow(0, 0, 2)).find("...") == std::string::npos);

  set_printoptions(2, /*threshold=*/10, /*edgeitems=*/1);
  CHECK(str(arange(60, dtype(kFloat)).view({3, 4, 5})) ==
        "(1,.,.) = \n"
        "   0 ...   4\n"
        " ... ... ...\n"
        "  15 ...  19\n"
        "\n"
        "...\n"
        "\n"
        "(3,.,.) = \n"
        "  40 ...  44\n"
        " ... ... ...\n"
        "  55 ...  59\n"
        "[ CPUFloatType{3,4,5} ]");
}

TEST_CASE("printoptions: sci_mode forces or forbids scientific notation", "[printing][printoptions]") {
  RestoreDefaults restore;
  set_printoptions(/*precision=*/3, -1, -1, -1, /*sci_mode=*/true);
  CHECK(str(tensor({0.5, 1234.5})) == " 5.000e-01\n 1.234e+03\n[ CPUFloatType{2} ]");
  set_printoptions(4, -1, -1, -1, /*sci_mode=*/false);
  CHECK(str(tensor({1e-5, 1e5}).view({1, 2})) == "      0.0000  100000.0000\n[ CPUFloatType{1,2} ]");
  set_printoptions(4, -1, -1, -1, std::nullopt);  // automatic again: chosen from the value range
  CHECK(str(tensor({1e-5, 1e5}).view({1, 2})) == " 1.0000e-05  1.0000e+05\n[ CPUFloatType{1,2} ]");
}

TEST_CASE("printoptions: a 0-dim tensor follows precision and sci_mode once they are set", "[printing][printoptions]") {
  RestoreDefaults restore;
  const Tensor x = scalar_tensor(3.14159265);
  // Defaults: libtorch's text (the stream's own precision).
  CHECK(str(x) == "3.14159\n[ CPUFloatType{} ]");
  set_printoptions(/*precision=*/2);
  CHECK(str(x) == "3.14\n[ CPUFloatType{} ]");
  set_printoptions(/*precision=*/3, -1, -1, -1, /*sci_mode=*/true);
  CHECK(str(x) == "3.142e+00\n[ CPUFloatType{} ]");
  CHECK(str(scalar_tensor(7, dtype(kLong))) == "7\n[ CPULongType{} ]");  // integers stay integers
  set_printoptions(4, -1, -1, -1, std::nullopt);
  CHECK(str(x) == "3.14159\n[ CPUFloatType{} ]");
}
