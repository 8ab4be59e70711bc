// Printing: operator<< and fmt::format("{}", t) produce exactly libtorch's text for
// tensors under the print threshold (every expected string below is libtorch 1.13's
// output for the same tensor on this machine), summarise big tensors (ember's
// extension), and honour set_printoptions.
#include <limits>
#include <iomanip>
#include <sstream>

#include "core_helpers.h"

using namespace ember;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

std::string str(const Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

// Restores the default print options when a test ends, even on failure.
struct DefaultPrintOptions {
  ~DefaultPrintOptions() { set_printoptions(4, 1000, 3, 80, std::nullopt); }
};

struct Case {
  const char* name;
  Tensor t;
  const char* expected;
};
}  // namespace

TEST_CASE("printing: identical to libtorch for small tensors", "[printing]") {
  const Case cases[] = {
      {"f1", tensor({1.5, 2.25, -3.0}),
       " 1.5000\n 2.2500\n-3.0000\n[ CPUFloatType{3} ]"},
      {"l1", tensor({1, 2, 3}),
       " 1\n 2\n 3\n[ CPULongType{3} ]"},
      {"l2", tensor({1, -20, 300, 4}).view({2, 2}),
       "   1  -20\n 300    4\n[ CPULongType{2,2} ]"},
      {"f2", tensor({0.1, 0.2, 0.3, 0.4}).view({2, 2}),
       " 0.1000  0.2000\n 0.3000  0.4000\n[ CPUFloatType{2,2} ]"},
      {"sci", tensor({1e-5, 1.0, 1000.0}),
       " 1.0000e-05\n 1.0000e+00\n 1.0000e+03\n[ CPUFloatType{3} ]"},
      {"scale_big", tensor({123456.5, 234567.25}),
       "1e+05 *\n 1.2346\n 2.3457\n[ CPUFloatType{2} ]"},
      {"scale_small", tensor({0.001, 0.002}),
       "0.001 *\n 1.0000\n 2.0000\n[ CPUFloatType{2} ]"},
      {"f3", arange(12, dtype(kFloat)).view({2, 2, 3}) / 4,
       "(1,.,.) = \n  0.0000  0.2500  0.5000\n  0.7500  1.0000  1.2500\n\n(2,.,.) = \n  1.5000  1.7500  2.0000\n  2.2500  2.5000  2.7500\n[ CPUFloatType{2,2,3} ]"},
      {"z0f", scalar_tensor(3.5),
       "3.5\n[ CPUFloatType{} ]"},
      {"z0l", scalar_tensor(7, dtype(kLong)),
       "7\n[ CPULongType{} ]"},
      {"z0b", scalar_tensor(true, dtype(kBool)),
       "1\n[ CPUBoolType{} ]"},
      {"b1", tensor({true, false, true}),
       " 1\n 0\n 1\n[ CPUBoolType{3} ]"},
      {"lbig", tensor({int64_t(10000000000), int64_t(1)}),
       " 1.0000e+10\n 1.0000e+00\n[ CPULongType{2} ]"},
      {"d1", tensor({1.5, 2.5}, dtype(kDouble)),
       " 1.5000\n 2.5000\n[ CPUDoubleType{2} ]"},
      {"wide2", (arange(30, dtype(kFloat)) / 7).view({1, 30}),
       "Columns 1 to 10 0.0000  0.1429  0.2857  0.4286  0.5714  0.7143  0.8571  1.0000  1.1429  1.2857\n\nColumns 11 to 20 1.4286  1.5714  1.7143  1.8571  2.0000  2.1429  2.2857  2.4286  2.5714  2.7143\n\nColumns 21 to 30 2.8571  3.0000  3.1429  3.2857  3.4286  3.5714  3.7143  3.8571  4.0000  4.1429\n[ CPUFloatType{1,30} ]"},
      {"wide3", (arange(24, dtype(kFloat)) * 0.5).view({1, 2, 12}),
       "(1,.,.) = \n Columns 1 to 8   0.0000   0.5000   1.0000   1.5000   2.0000   2.5000   3.0000   3.5000\n   6.0000   6.5000   7.0000   7.5000   8.0000   8.5000   9.0000   9.5000\n\nColumns 9 to 12   4.0000   4.5000   5.0000   5.5000\n  10.0000  10.5000  11.0000  11.5000\n[ CPUFloatType{1,2,12} ]"},
      {"nonfinite", tensor({1.0, kNaN, kInf, -kInf}),
       " 1\nnan\ninf\n-inf\n[ CPUFloatType{4} ]"},
      {"negquirk", tensor({1.5, -1000.25}),
       " 1.5000\n-1000.2500\n[ CPUFloatType{2} ]"},
      {"negquirk2", tensor({-1000.25, 1.5}),
       "-1000.2500\n    1.5000\n[ CPUFloatType{2} ]"},
      {"e1", zeros({0}),
       "[ CPUFloatType{0} ]"},
      {"e2", zeros({2, 0}),
       "[ CPUFloatType{2,0} ]"},
      {"e3", zeros({2, 0, 3}),
       "[ CPUFloatType{2,0,3} ]"},
      {"l4", arange(16).view({2, 2, 2, 2}),
       "(1,1,.,.) = \n  0  1\n  2  3\n\n(2,1,.,.) = \n   8   9\n  10  11\n\n(1,2,.,.) = \n  4  5\n  6  7\n\n(2,2,.,.) = \n  12  13\n  14  15\n[ CPULongType{2,2,2,2} ]"},
      {"u8", tensor({1, 2, 250}, dtype(kByte)),
       "   1\n   2\n 250\n[ CPUByteType{3} ]"},
      {"i32", tensor({-1, 2}, dtype(kInt)).view({1, 2}),
       "-1  2\n[ CPUIntType{1,2} ]"},
      {"scale2", tensor({123456.5, 2.5e5, 3e5, 4e5}).view({2, 2}),
       "1e+05 *\n 1.2346  2.5000\n  3.0000  4.0000\n[ CPUFloatType{2,2} ]"},
      {"zerosf", zeros({2}),
       " 0\n 0\n[ CPUFloatType{2} ]"},
      {"half0", tensor({0.5, 0.0}),
       " 0.5000\n 0.0000\n[ CPUFloatType{2} ]"},
      {"negsmall", tensor({-0.001, -0.002}),
       "0.001 *\n-1.0000\n-2.0000\n[ CPUFloatType{2} ]"},
      {"sci2", tensor({1e-5, 1.0, 1000.0, 2.0}).view({2, 2}),
       " 1.0000e-05  1.0000e+00\n 1.0000e+03  2.0000e+00\n[ CPUFloatType{2,2} ]"},
      {"sci100", tensor({1e-120, 1.0}, dtype(kDouble)),
       " 1.0000e-120\n  1.0000e+00\n[ CPUDoubleType{2} ]"},
      {"intsci2", tensor({int64_t(12345678901), int64_t(-2), int64_t(3), int64_t(4)}).view({2, 2}),
       " 1.2346e+10 -2.0000e+00\n 3.0000e+00  4.0000e+00\n[ CPULongType{2,2} ]"},
      {"big3", tensor({1e6 + 0.5, 2e6, 3e6, 4e6, 5e6, 6e6, 7e6, 8e6}).view({2, 2, 2}),
       "(1,.,.) = \n 1e+06 *\n  1.0000  2.0000\n   3.0000  4.0000\n\n(2,.,.) = \n    5e+06    6e+06\n    7e+06    8e+06\n[ CPUFloatType{2,2,2} ]"},
      {"allnan", tensor({kNaN, kNaN}),
       "nan\nnan\n[ CPUFloatType{2} ]"},
      {"sc1x1", tensor({2.5}).view({1, 1}),
       " 2.5000\n[ CPUFloatType{1,1} ]"},
      {"neg2", tensor({-1.5, 2.0, -3.25, 4.0}).view({2, 2}),
       "-1.5000  2.0000\n-3.2500  4.0000\n[ CPUFloatType{2,2} ]"},
      {"wide_sci", arange(1, 13, dtype(kFloat)).pow(6).view({1, 12}),
       "Columns 1 to 8       1       64      729     4096    15625    46656   117649   262144\n\nColumns 9 to 12  531441    1e+06 1.77156e+06 2.98598e+06\n[ CPUFloatType{1,12} ]"},
  };
  for (const Case& c : cases) {
    INFO("case " << c.name);
    CHECK(str(c.t) == c.expected);
    CHECK(fmt::format("{}", c.t) == c.expected);
    CHECK(to_string(c.t) == c.expected);
  }
}

TEST_CASE("printing: views print their logical values, undefined tensors", "[printing]") {
  Tensor t = arange(6, dtype(kFloat)).view({2, 3}).t() / 3;
  CHECK(str(t) == str(t.contiguous()));
  CHECK(str(t) == " 0.0000  1.0000\n 0.3333  1.3333\n 0.6667  1.6667\n[ CPUFloatType{3,2} ]");
  CHECK(str(arange(10).slice(0, 1, 10, 4)) == " 1\n 5\n 9\n[ CPULongType{3} ]");
  CHECK(str(Tensor()) == "[ Tensor (undefined) ]");
  // A tensor that requires grad prints its values only, as libtorch's operator<<.
  CHECK(str(ones({2}, requires_grad())) == " 1\n 1\n[ CPUFloatType{2} ]");
}

TEST_CASE("printing: the stream's own format is restored", "[printing]") {
  std::ostringstream os;
  os << std::fixed << std::setprecision(2);
  os << tensor({1e-5, 1.0, 1000.0}) << '|' << 1.0 / 3;
  const std::string s = os.str();
  CHECK(s.substr(s.size() - 5) == "|0.33");
}

TEST_CASE("printing: big tensors are summarised", "[printing]") {
  // Ember's extension: above `threshold` elements only `edgeitems` per edge are shown.
  CHECK(str(arange(2000)) == "    0\n    1\n    2\n  ...\n 1997\n 1998\n 1999\n[ CPULongType{2000} ]");
  const std::string m = str(arange(1600).view({40, 40}));
  CHECK(m ==
        "    0     1     2   ...    37    38    39\n"
        "   40    41    42   ...    77    78    79\n"
        "   80    81    82   ...   117   118   119\n"
        "  ...   ...   ...   ...   ...   ...   ...\n"
        " 1480  1481  1482   ...  1517  1518  1519\n"
        " 1520  1521  1522   ...  1557  1558  1559\n"
        " 1560  1561  1562   ...  1597  1598  1599\n"
        "[ CPULongType{40,40} ]");
  const std::string c = str(zeros({20, 20, 20}));
  CHECK(c.find("(1,.,.) = ") == 0);
  CHECK(c.find("(3,.,.) = ") != std::string::npos);
  CHECK(c.find("\n...\n") != std::string::npos);
  CHECK(c.find("(18,.,.) = ") != std::string::npos);
  CHECK(c.find("(4,.,.) = ") == std::string::npos);
  CHECK(c.find("[ CPUFloatType{20,20,20} ]") != std::string::npos);
  CHECK(str(arange(1000)).find("...") == std::string::npos);  // at the threshold: everything
}

TEST_CASE("printing: set_printoptions is honoured", "[printing]") {
  DefaultPrintOptions restore;
  Tensor x = tensor({1.5, 2.25, -3.0});
  set_printoptions(/*precision=*/2);
  CHECK(str(x) == " 1.50\n 2.25\n-3.00\n[ CPUFloatType{3} ]");
  CHECK(fmt::format("{}", x) == " 1.50\n 2.25\n-3.00\n[ CPUFloatType{3} ]");
  set_printoptions(4);

  set_printoptions(-1, -1, -1, -1, /*sci_mode=*/true);
  CHECK(str(tensor({1.5, 2.0})) == " 1.5000e+00\n 2.0000e+00\n[ CPUFloatType{2} ]");
  set_printoptions(-1, -1, -1, -1, /*sci_mode=*/false);
  CHECK(str(tensor({1e-5, 1.0, 1000.0})) == "    0.0000\n    1.0000\n 1000.0000\n[ CPUFloatType{3} ]");
  CHECK(str(tensor({123456.5, 234567.25}, dtype(kDouble))) == " 123456.5000\n 234567.2500\n[ CPUDoubleType{2} ]");
  set_printoptions(-1, -1, -1, -1, std::nullopt);  // back to automatic
  CHECK(str(tensor({1e-5, 1.0, 1000.0})) == " 1.0000e-05\n 1.0000e+00\n 1.0000e+03\n[ CPUFloatType{3} ]");

  set_printoptions(-1, /*threshold=*/5, /*edgeitems=*/2);
  CHECK(str(arange(10)) == " 0\n 1\n...\n 8\n 9\n[ CPULongType{10} ]");
  CHECK(str(arange(5)) == " 0\n 1\n 2\n 3\n 4\n[ CPULongType{5} ]");
  set_printoptions(-1, 1000, 3);

  set_printoptions(-1, -1, -1, /*linewidth=*/40);
  const std::string w = str((arange(30, dtype(kFloat)) / 7).view({1, 30}));
  CHECK(w.find("Columns 1 to 5 0.0000  0.1429  0.2857  0.4286  0.5714\n\nColumns 6 to 10 ") == 0);
  CHECK(w.find("Columns 26 to 30 ") != std::string::npos);
}
