// The safetensors layout of ember's files: tensor names and header fields as Python's
// safetensors package writes them, files written by other programs, and every kind of
// corrupt file raising an error instead of reading out of bounds.
#include "core_helpers.h"
#include <ember/ember.h>
#include <ember/serialize.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <unistd.h>

namespace {
using core_test::require_error;
using core_test::temp_path;
using ember::Tensor;
namespace nn = ember::nn;
namespace fs = std::filesystem;

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

/// A file made of an 8-byte little-endian header length (`announced`, else the header's
/// size), the header text and the data bytes, as the safetensors format lays it out.
std::string write_file(const std::string& name, const std::string& header, const std::string& data,
                       uint64_t announced = std::numeric_limits<uint64_t>::max()) {
  const uint64_t n = announced == std::numeric_limits<uint64_t>::max() ? header.size() : announced;
  std::string bytes(reinterpret_cast<const char*>(&n), sizeof n);
  bytes += header + data;
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

template <class T>
std::string raw(std::initializer_list<T> values) {
  std::string s;
  for (T v : values) s.append(reinterpret_cast<const char*>(&v), sizeof v);
  return s;
}


}  // namespace

TEST_CASE("safetensors: a module's file names its tensors as PyTorch does", "[serialize]") {
  nn::Sequential model(nn::Linear(3, 2), nn::BatchNorm1d(2));
  const std::string path = temp_path("model.safetensors");
  ember::save(model, path);
  const std::string bytes = read_bytes(path);

  uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  CHECK(n % 8 == 0);  // the data section starts 8-byte aligned
  const auto header = nlohmann::json::parse(bytes.substr(8, n));
  CHECK(header["__metadata__"]["format"] == "pt");
  // PyTorch's nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)).state_dict() keys.
  for (const char* key : {"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                          "1.num_batches_tracked"})
    CHECK(header.contains(key));
  CHECK(header.size() == 8);  // the seven tensors and __metadata__
  CHECK(header["0.weight"]["dtype"] == "F32");
  CHECK(header["0.weight"]["shape"] == nlohmann::json::array({2, 3}));
  CHECK(header["1.num_batches_tracked"]["dtype"] == "I64");
  CHECK(header["1.num_batches_tracked"]["shape"] == nlohmann::json::array());

  // The weight's bytes sit where its offsets say.
  const auto begin = header["0.weight"]["data_offsets"][0].get<size_t>();
  const auto end = header["0.weight"]["data_offsets"][1].get<size_t>();
  REQUIRE(end - begin == 6 * sizeof(float));
  Tensor w = model->named_parameters()["0.weight"];
  CHECK(std::memcmp(bytes.data() + 8 + n + begin, w.data_ptr(), end - begin) == 0);
  CHECK(bytes.size() == 8 + n + (6 + 2 + 2 + 2 + 2 + 2) * sizeof(float) + sizeof(int64_t));
}

TEST_CASE("safetensors: files written by other programs load by their dotted names", "[serialize]") {
  // What safetensors.torch.save_file({"0.weight": ..., "0.bias": ...}) writes for a
  // Sequential(Linear(2, 1)): flat dotted names, no ember metadata, unpadded header.
  const std::string header =
      R"({"0.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},)"
      R"("0.bias":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},)"
      R"("__metadata__":{"format":"pt"}})";
  const std::string path = write_file("foreign.safetensors", header, raw<float>({1.5f, -2.0f, 0.25f}));

  nn::Sequential model(nn::Linear(2, 1));
  ember::load(model, path);
  auto params = model->named_parameters();
  CHECK(params["0.weight"].equal(ember::tensor({{1.5f, -2.0f}})));
  CHECK(params["0.bias"].equal(ember::tensor({0.25f})));
  CHECK(params["0.weight"].requires_grad());
  // 1.5 * 2 - 2 * 1 + 0.25
  CHECK(model->forward(ember::tensor({{2.0f, 1.0f}})).item<double>() == 1.25);

  ember::serialize::InputArchive in;
  in.load_from(path);
  Tensor bias;
  in.read("0.bias", bias);
  CHECK(bias.equal(ember::tensor({0.25f})));
  ember::serialize::InputArchive layer;
  in.read("0", layer);
  Tensor weight;
  layer.read("weight", weight);
  CHECK(weight.sizes() == std::vector<int64_t>{1, 2});
  require_error([&] { layer.read("missing", weight); }, {path, "no tensor '0.missing'"});
}

TEST_CASE("safetensors: half, bfloat16, int and bool tensors from other programs", "[serialize]") {
  // 1.0 and -2.0 in IEEE binary16 are 0x3C00 and 0xC000; in bfloat16 0x3F80 and 0xC000.
  const std::string header =
      R"({"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},)"
      R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},)"
      R"("i":{"dtype":"I32","shape":[1],"data_offsets":[8,12]},)"
      R"("m":{"dtype":"BOOL","shape":[2],"data_offsets":[12,14]}})";
  const std::string data =
      raw<uint16_t>({0x3C00, 0xC000, 0x3F80, 0xC000}) + raw<int32_t>({-7}) + std::string("\x01\x00", 2);
  const std::string path = write_file("dtypes.safetensors", header, data);
  ember::serialize::InputArchive in;
  in.load_from(path);
  Tensor h, b, i, m;
  in.read("h", h);
  in.read("b", b);
  in.read("i", i);
  in.read("m", m);
  CHECK(h.dtype() == ember::kHalf);
  CHECK(h.to(ember::kFloat).equal(ember::tensor({1.0f, -2.0f})));
  CHECK(b.dtype() == ember::kBFloat16);
  CHECK(b.to(ember::kFloat).equal(ember::tensor({1.0f, -2.0f})));
  CHECK(i.equal(ember::tensor({-7}, ember::kInt)));
  CHECK(m.equal(ember::tensor({true, false})));
}

TEST_CASE("safetensors: corrupt files raise errors and are never read out of bounds", "[serialize]") {
  Tensor t;
  const std::string f32x2 = R"({"0":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string eight = raw<float>({1.0f, 2.0f});
  ember::load(t, write_file("valid.safetensors", f32x2, eight));
  CHECK(t.equal(ember::tensor({1.0f, 2.0f})));

  std::string p = write_file("oversized.safetensors", f32x2, eight, 200'000'000);
  require_error([&] { ember::load(t, p); }, {p, "header of 200000000 bytes", "100000000-byte limit"});

  p = write_file("header_past_end.safetensors", f32x2, eight, 4096);
  require_error([&] { ember::load(t, p); }, {p, "truncated", "header length is 4096", "only"});

  p = write_file("truncated_data.safetensors", f32x2, eight.substr(0, 5));
  require_error([&] { ember::load(t, p); }, {p, "truncated", "tensor '0' ends at byte 8", "holds only 5"});

  p = write_file("bad_json.safetensors", R"({"0":{"dtype":"F32",)", eight);
  require_error([&] { ember::load(t, p); }, {p, "JSON header does not parse"});

  p = write_file("not_object.safetensors", "[1, 2]  ", eight);
  require_error([&] { ember::load(t, p); }, {p, "does not start with '{'"});

  p = write_file("int16.safetensors", R"({"0":{"dtype":"I16","shape":[4],"data_offsets":[0,8]}})", eight);
  require_error([&] { ember::load(t, p); }, {p, "tensor '0' has dtype 'I16'", "does not support"});

  p = write_file("unknown_dtype.safetensors", R"({"0":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", eight);
  require_error([&] { ember::load(t, p); }, {p, "dtype 'Q7'"});

  p = write_file("short_offsets.safetensors", R"({"0":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", eight);
  require_error([&] { ember::load(t, p); }, {p, "shape [3] needs 12 bytes", "span 8"});

  p = write_file("overlap.safetensors",
                 R"({"0":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                 R"("1":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                 eight + raw<float>({3.0f}));
  require_error([&] { ember::load(t, p); }, {p, "tensors '0' and '1' overlap"});

  p = write_file("gap.safetensors",
                 R"({"0":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                 R"("1":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                 eight + raw<float>({3.0f}));
  require_error([&] { ember::load(t, p); }, {p, "4 bytes", "before tensor '1' belong to no tensor"});

  p = write_file("reversed.safetensors", R"({"0":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", eight);
  require_error([&] { ember::load(t, p); }, {p, "end before they begin"});

  p = write_file("negative.safetensors", R"({"0":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", eight);
  require_error([&] { ember::load(t, p); }, {p, "has shape [-2]"});

  p = write_file("huge_shape.safetensors",
                 R"({"0":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", eight);
  require_error([&] { ember::load(t, p); }, {p, "too large"});

  p = write_file("bad_metadata.safetensors",
                 R"({"__metadata__":{"format":7},"0":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", eight);
  require_error([&] { ember::load(t, p); }, {p, "metadata 'format' is not a string"});

  p = write_file("nested_clash.safetensors",
                 R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                 R"("a.b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                 eight);
  require_error([&] { ember::load(t, p); }, {p, "'a.b' lies inside 'a', which is not a nested archive"});
}

TEST_CASE("safetensors: values, dotted keys, undefined tensors and empty archives round-trip", "[serialize]") {
  const double inf = std::numeric_limits<double>::infinity();
  ember::serialize::OutputArchive out, empty, inner;
  out.write("x.y", ember::ones({2}));
  out.write("empty", empty);
  inner.write("undefined", Tensor());
  inner.write("grad", ember::full({3}, 2.0).requires_grad_());
  out.write("inner", inner);
  out.write("limits", std::vector<double>{-inf, 0.5, inf});
  out.write("nan", std::numeric_limits<double>::quiet_NaN());
  out.write("big", int64_t{1} << 62);
  out.write("words", "a \"quoted\" name");
  const std::string path = temp_path("values.safetensors");
  out.save_to(path);

  ember::serialize::InputArchive in;
  in.load_from(path);
  CHECK(in.keys() == std::vector<std::string>{"x.y", "empty", "inner", "limits", "nan", "big", "words"});
  Tensor t;
  in.read("x.y", t);
  CHECK(t.equal(ember::ones({2})));
  ember::serialize::InputArchive e;
  in.read("empty", e);
  CHECK(e.keys().empty());
  ember::serialize::InputArchive i;
  in.read("inner", i);
  Tensor u = ember::ones({1});
  i.read("undefined", u);
  CHECK_FALSE(u.defined());
  Tensor g;
  i.read("grad", g);
  CHECK(g.requires_grad());
  CHECK(g.equal(ember::full({3}, 2.0)));
  ember::ArchiveValue v;
  in.read("limits", v);
  CHECK(v.toDoubleVector() == std::vector<double>{-inf, 0.5, inf});
  in.read("nan", v);
  CHECK(std::isnan(v.toDouble()));
  in.read("big", v);
  CHECK(v.toInt() == (int64_t{1} << 62));
  in.read("words", v);
  CHECK(v.toStringRef() == "a \"quoted\" name");

  // Two keys that join to the same name cannot both be stored.
  ember::serialize::OutputArchive clash, x;
  x.write("y", ember::ones({1}));
  clash.write("x", x);
  clash.write("x.y", ember::zeros({1}));
  require_error([&] { clash.save_to(temp_path("clash.safetensors")); },
                {"[ember::save]", "two tensors would both be named 'x.y'"});
}
