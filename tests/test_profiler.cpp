// The op profiler: events of a small forward/backward (names, counts, phases, shapes,
// nesting), key_averages, the Chrome trace JSON, and that nothing is recorded when no
// profile is active.
#include <catch2/catch.hpp>
#include <ember/ember.h>
#include <ember/profiler.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "json_mini.h"

using namespace ember;
using profiler::Event;
using profiler::Phase;

namespace {

using Shapes = std::vector<std::vector<int64_t>>;

std::vector<const Event*> named(const std::vector<Event>& evs, const std::string& name, Phase phase) {
  std::vector<const Event*> r;
  for (const Event& e : evs)
    if (e.name == name && e.phase == phase) r.push_back(&e);
  return r;
}

bool contains(const Event& outer, const Event& inner) {
  return inner.thread == outer.thread && inner.depth > outer.depth && inner.start_ns >= outer.start_ns &&
         inner.start_ns + inner.duration_ns <= outer.start_ns + outer.duration_ns;
}

// x [2, 3] @ w [3, 4] -> relu -> sum, then backward: w is the only leaf needing grad.
struct SmallGraph {
  Tensor w = ones({3, 4}).requires_grad_();
  Tensor x = ones({2, 3});
  void run() {
    Tensor loss = mm(x, w).relu().sum();
    loss.backward();
  }
};

}  // namespace

TEST_CASE("profiler: a forward/backward records every op with name, shapes, phase", "[profiler]") {
  SmallGraph g;
  profiler::Profile prof;
  CHECK(profiler::is_enabled());
  g.run();
  prof.stop();
  CHECK_FALSE(profiler::is_enabled());
  const std::vector<Event>& evs = prof.events();

  // Forward: one event per op, with the inputs' shapes, on the CPU, outermost.
  auto mm_f = named(evs, "mm", Phase::Forward);
  auto relu_f = named(evs, "relu", Phase::Forward);
  auto sum_f = named(evs, "sum", Phase::Forward);
  REQUIRE(mm_f.size() == 1);
  REQUIRE(relu_f.size() == 1);
  REQUIRE(sum_f.size() == 1);
  CHECK(mm_f[0]->input_shapes == Shapes{{2, 3}, {3, 4}});
  CHECK(relu_f[0]->input_shapes == Shapes{{2, 4}});
  CHECK(sum_f[0]->input_shapes == Shapes{{2, 4}});
  CHECK(mm_f[0]->device == Device(kCPU));
  CHECK(mm_f[0]->depth == 0);
  CHECK(mm_f[0]->start_ns <= relu_f[0]->start_ns);
  CHECK(relu_f[0]->start_ns <= sum_f[0]->start_ns);

  // Backward: one event per node, in reverse tape order, with the incoming gradients'
  // shapes; the leaf's accumulation is a node too.
  auto sum_b = named(evs, "SumBackward0", Phase::Backward);
  auto relu_b = named(evs, "ReluBackward0", Phase::Backward);
  auto mm_b = named(evs, "MmBackward0", Phase::Backward);
  auto acc = named(evs, "torch::autograd::AccumulateGrad", Phase::Backward);
  REQUIRE(sum_b.size() == 1);
  REQUIRE(relu_b.size() == 1);
  REQUIRE(mm_b.size() == 1);
  REQUIRE(acc.size() == 1);
  CHECK(sum_b[0]->input_shapes == Shapes{{}});
  CHECK(relu_b[0]->input_shapes == Shapes{{2, 4}});
  CHECK(mm_b[0]->input_shapes == Shapes{{2, 4}});
  CHECK(acc[0]->input_shapes == Shapes{{3, 4}});
  CHECK(sum_f[0]->start_ns < sum_b[0]->start_ns);
  CHECK(sum_b[0]->start_ns < relu_b[0]->start_ns);
  CHECK(relu_b[0]->start_ns < mm_b[0]->start_ns);
  CHECK(mm_b[0]->start_ns < acc[0]->start_ns);
  for (const Event* e : {sum_b[0], relu_b[0], mm_b[0], acc[0]}) CHECK(e->depth == 0);
  // No forward-named node events, no backward-named forward events.
  for (const Event& e : evs) CHECK((e.name.find("Backward") != std::string::npos) <= (e.phase == Phase::Backward));

  // The formulas' own ops are nested in their node and marked backward: MmBackward0
  // computes grad_w with one mm of [3, 2] x [2, 4].
  auto mm_in_b = named(evs, "mm", Phase::Backward);
  REQUIRE(mm_in_b.size() == 1);
  CHECK(contains(*mm_b[0], *mm_in_b[0]));
  CHECK(mm_in_b[0]->input_shapes == Shapes{{3, 2}, {2, 4}});

  // Self time excludes nested events; both are within the total.
  for (const Event& e : evs) {
    CHECK(e.duration_ns >= 0);
    CHECK(e.self_ns >= 0);
    CHECK(e.self_ns <= e.duration_ns);
  }
  CHECK(mm_b[0]->self_ns <= mm_b[0]->duration_ns - mm_in_b[0]->duration_ns);
  CHECK(g.w.grad().defined());
}

TEST_CASE("profiler: key_averages groups by name, sorted by total time", "[profiler]") {
  SmallGraph g;
  profiler::Profile prof;
  g.run();
  g.run();
  const profiler::EventTable t = prof.key_averages();
  const std::vector<Event>& evs = prof.events();
  REQUIRE(!t.rows.empty());
  int64_t self_sum = 0;
  for (const Event& e : evs) self_sum += e.self_ns;
  CHECK(t.self_total_ns == self_sum);
  for (size_t i = 1; i < t.rows.size(); ++i) CHECK(t.rows[i - 1].total_ns >= t.rows[i].total_ns);
  size_t total_count = 0;
  for (const auto& r : t.rows) {
    total_count += static_cast<size_t>(r.count);
    CHECK(r.forward_calls + r.backward_calls == r.count);
    if (r.name == "mm") {
      CHECK(r.count == 4);  // two forward, two inside MmBackward0
      CHECK(r.forward_calls == 2);
      CHECK(r.backward_calls == 2);
    }
    if (r.name == "relu") CHECK(r.count == 2);
    if (r.name == "MmBackward0") CHECK(r.backward_calls == 2);
  }
  CHECK(total_count == evs.size());

  const std::string text = t.table();
  CHECK(text.find("Name") != std::string::npos);
  CHECK(text.find("# of Calls") != std::string::npos);
  CHECK(text.find("CPU total") != std::string::npos);
  CHECK(text.find("\nmm ") != std::string::npos);
  CHECK(text.find("\nMmBackward0 ") != std::string::npos);
  CHECK(text.find("Self CPU time total: ") != std::string::npos);
  // The first data row is the largest total.
  const size_t first_row = text.find('\n', text.find("# of Calls")) + 1;
  const size_t data = text.find('\n', first_row) + 1;
  CHECK(text.compare(data, t.rows[0].name.size(), t.rows[0].name) == 0);
  REQUIRE(t.rows.size() > 2);
  CHECK(t.table(2).find("\n" + t.rows[1].name + " ") != std::string::npos);
  CHECK(t.table(2).find("\n" + t.rows[2].name + " ") == std::string::npos);

  const profiler::EventTable by_shape = prof.key_averages(/*group_by_input_shape=*/true);
  bool found = false;
  for (const auto& r : by_shape.rows)
    if (r.name == "mm" && r.input_shapes == "[[2, 3], [3, 4]]") {
      found = true;
      CHECK(r.count == 2);
    }
  CHECK(found);
  CHECK(by_shape.table().find("Input Shapes") != std::string::npos);
}

TEST_CASE("profiler: the Chrome trace is valid JSON with one complete event per op", "[profiler]") {
  SmallGraph g;
  profiler::Profile prof;
  {
    profiler::RecordFunction step("train_step \"1\"");  // a user scope; the quotes are escaped
    g.run();
  }
  prof.stop();
  const std::vector<Event>& evs = prof.events();
  const std::string path = "ember_test_trace.json";
  prof.export_chrome_trace(path);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::remove(path.c_str());
  REQUIRE(ss.str() == prof.chrome_trace());

  json_mini::Value root;
  REQUIRE_NOTHROW(root = json_mini::parse(ss.str()));
  REQUIRE(root.kind == json_mini::Value::Object);
  const json_mini::Value& te = root.at("traceEvents");
  REQUIRE(te.kind == json_mini::Value::Array);
  REQUIRE(te.arr.size() == evs.size());
  for (size_t i = 0; i < te.arr.size(); ++i) {
    const json_mini::Value& e = te.arr[i];
    CHECK(e.at("name").str == evs[i].name);
    CHECK(e.at("ph").str == "X");
    CHECK(e.at("ts").kind == json_mini::Value::Number);
    CHECK(e.at("dur").kind == json_mini::Value::Number);
    CHECK(e.at("ts").num == Approx(static_cast<double>(evs[i].start_ns) / 1e3).margin(1e-3));
    CHECK(e.at("dur").num == Approx(static_cast<double>(evs[i].duration_ns) / 1e3).margin(1e-3));
    CHECK(e.at("pid").kind == json_mini::Value::Number);
    CHECK(e.at("tid").num == evs[i].thread);
    const json_mini::Value& args = e.at("args");
    CHECK(args.at("Phase").str == (evs[i].phase == Phase::Backward ? "backward" : "forward"));
    CHECK(args.at("Device").str == "cpu");
    const json_mini::Value& dims = args.at("Input Dims");
    REQUIRE(dims.arr.size() == evs[i].input_shapes.size());
    for (size_t k = 0; k < dims.arr.size(); ++k) {
      REQUIRE(dims.arr[k].arr.size() == evs[i].input_shapes[k].size());
      for (size_t j = 0; j < dims.arr[k].arr.size(); ++j)
        CHECK(dims.arr[k].arr[j].num == static_cast<double>(evs[i].input_shapes[k][j]));
    }
  }
  // The user scope encloses everything else.
  REQUIRE(te.arr.front().at("name").str == "train_step \"1\"");
  for (size_t i = 1; i < evs.size(); ++i) CHECK(contains(evs[0], evs[i]));
}

TEST_CASE("profiler: nothing is recorded outside a profile, and one profile runs at a time", "[profiler]") {
  SmallGraph g;
  CHECK_FALSE(profiler::is_enabled());
  std::vector<Event> before;
  {
    profiler::Profile prof(/*record_shapes=*/false);
    REQUIRE_THROWS_AS(profiler::Profile(), Error);
    try {
      profiler::Profile second;
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("[ember::profiler::Profile] a profile is already recording") == 0);
    }
    g.run();
    prof.stop();
    g.run();  // after stop: not recorded
    before = prof.events();
  }
  REQUIRE(!before.empty());
  CHECK(named(before, "mm", Phase::Forward).size() == 1);
  for (const Event& e : before) CHECK(e.input_shapes.empty());  // record_shapes = false

  profiler::Profile next;  // the first one is gone: a new one may start
  Tensor y = ones({2}) + 1;
  next.stop();
  REQUIRE(next.events().size() == 2);
  CHECK(next.events()[0].name == "ones");
  CHECK(next.events()[1].name == "add");
  CHECK(next.events()[1].input_shapes == Shapes{{2}, {}});
}

TEST_CASE("profiler: factories, indexing, sorting, scans and moments are recorded by name", "[profiler]") {
  profiler::Profile prof;
  Tensor x = arange(6, TensorOptions().dtype(kFloat)).reshape({2, 3});
  Tensor z = zeros({2, 3});
  (void)index_select(x, 1, tensor({0, 2}));
  (void)gather(x, 1, tensor({{0}, {1}}));
  (void)sort(x, 1);
  (void)topk(x, 2);
  (void)cumsum(x, 1);
  (void)prod(x);
  (void)x.var();
  (void)x.norm();
  prof.stop();
  for (const char* name : {"zeros", "index_select", "gather", "sort", "topk", "cumsum", "prod", "var", "norm"}) {
    INFO(name);
    CHECK(named(prof.events(), name, Phase::Forward).size() == 1);
  }
  const auto sel = named(prof.events(), "index_select", Phase::Forward);
  REQUIRE(sel.size() == 1);
  CHECK(sel[0]->input_shapes == Shapes{{2, 3}, {2}});
}
