// The op table (engine/op_table.cpp): every row is an op the engine runs or
// evaluates on static data, and the facts other modules read from it hold
// together; static evaluation reaches each op's evaluator through the table.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "engine/engine.h"
#include "engine/static_eval.h"
#include "onnx_builder.h"

using namespace xm;
using namespace xm::test;

namespace {

StaticTensor ints_tensor(Shape shape, std::vector<int64_t> v) {
  StaticTensor t;
  t.shape = std::move(shape);
  t.is_int = true;
  t.i = std::move(v);
  return t;
}

onnx::Node static_node(const char* op, size_t inputs, std::vector<onnx::Attribute> attrs = {}) {
  onnx::Node n;
  n.op_type = op;
  n.name = "s";
  for (size_t k = 0; k < inputs; ++k) n.inputs.push_back("i" + std::to_string(k));
  n.outputs = {"o"};
  n.attributes = std::move(attrs);
  return n;
}

// Evaluates op on int64 inputs; the result's integers, or the error message.
std::string eval_ints(const char* op, std::vector<StaticTensor> in, std::vector<onnx::Attribute> attrs = {},
                      Shape* shape = nullptr, int64_t opset = 13) {
  onnx::Node n = static_node(op, in.size(), std::move(attrs));
  std::vector<const StaticTensor*> ptr;
  std::vector<Shape> shapes;
  for (const StaticTensor& t : in) {
    ptr.push_back(&t);
    shapes.push_back(t.shape);
  }
  std::vector<StaticTensor> out;
  Status s = static_eval(n, opset, ptr, shapes, &out);
  if (!s) return s.error();
  REQUIRE(out.size() == 1);
  if (shape) *shape = out[0].shape;
  std::string r;
  for (int64_t v : out[0].i) r += (r.empty() ? "" : ",") + std::to_string(v);
  for (float v : out[0].f) r += (r.empty() ? "f" : ",f") + std::to_string(int64_t(v));
  return r;
}

}  // namespace

TEST_SUITE("op_table") {
  TEST_CASE("every row runs or evaluates static data, under a name found once") {
    std::set<std::string> names;
    for (const OpDef& d : op_table()) {
      INFO("op " << d.op_type);
      CHECK((bool(d.make) || bool(d.eval_static)));
      CHECK(names.insert(d.op_type).second);
      CHECK(find_op(d.op_type) == &d);
      if (d.shape_only) CHECK(bool(d.eval_static));
    }
    CHECK(find_op("LSTM") == nullptr);
  }

  TEST_CASE("the supported ops are the table's rows, static-only ones included") {
    std::vector<std::string> want;
    for (const OpDef& d : op_table()) want.push_back(d.op_type);
    std::sort(want.begin(), want.end());
    CHECK(engine_supported_ops() == want);
    for (const char* o : {"Shape", "Size", "Gather", "Cast", "Slice", "Range", "ConstantOfShape", "Neg", "Constant"})
      CHECK(std::find(want.begin(), want.end(), o) != want.end());
  }

  TEST_CASE("facts that other modules rely on hold together") {
    for (const OpDef& d : op_table()) {
      INFO("op " << d.op_type);
      const OpParams& p = d.params;
      // LRP's alpha-beta clamps the weight input; sanity draws from its fan-in or resets to the identity.
      if (d.lrp == LrpKind::WEIGHTED) CHECK(p.weight >= 0);
      if (p.weight >= 0) CHECK((p.fan_in != nullptr) != (p.identity != nullptr));
      if (p.identity) CHECK(p.identity_count > p.weight);
      // Incremental recomputation and LRP run ops, so an op they treat specially has a factory.
      if (d.incremental != IncrementalKind::GENERIC || d.lrp != LrpKind::NONE || d.fuses_as_relu) CHECK(bool(d.make));
    }
  }

  TEST_CASE("a static-only op on an activation is refused, naming it") {
    std::vector<In> ins = {{"x", {2, 3}}};
    auto e = Engine::load(one_node("Neg", ins, {}), "m.onnx");
    REQUIRE_FALSE(e);
    CHECK(e.error() == "node 'n0' (Neg): operator Neg is supported only on constant or shape data, not on activations");
  }

  TEST_CASE("static evaluation reaches each op's evaluator through the table") {
    const StaticTensor v = ints_tensor({2, 3}, {1, 2, 3, 4, 5, 6});
    Shape s;
    CHECK(eval_ints("Neg", {ints_tensor({2}, {1, -2})}) == "-1,2");
    CHECK(eval_ints("Identity", {v}) == "1,2,3,4,5,6");
    CHECK(eval_ints("Shape", {v}, {one_int("start", 1)}) == "3");
    CHECK(eval_ints("Size", {v}) == "6");
    CHECK(eval_ints("Gather", {v, ints_tensor({1}, {-1})}, {one_int("axis", 1)}, &s) == "3,6");
    CHECK(s == Shape{2, 1});
    CHECK(eval_ints("Slice", {v, ints_tensor({1}, {1}), ints_tensor({1}, {3}), ints_tensor({1}, {1})}) == "2,3,5,6");
    CHECK(eval_ints("Range", {ints_tensor({}, {1}), ints_tensor({}, {7}), ints_tensor({}, {2})}) == "1,3,5");
    CHECK(eval_ints("ConstantOfShape", {ints_tensor({2}, {1, 2})}, {}, &s) == "f0,f0");
    CHECK(s == Shape{1, 2});
    CHECK(eval_ints("Add", {v, ints_tensor({3}, {10, 20, 30})}) == "11,22,33,14,25,36");
    CHECK(eval_ints("Sub", {v, ints_tensor({1}, {1})}) == "0,1,2,3,4,5");
    CHECK(eval_ints("Mul", {v, ints_tensor({2, 1}, {2, 3})}) == "2,4,6,12,15,18");
    CHECK(eval_ints("Div", {v, ints_tensor({}, {2})}) == "0,1,1,2,2,3");
    CHECK(eval_ints("Div", {v, ints_tensor({}, {0})}) == "node 's' (Div): integer division by zero");
    CHECK(eval_ints("Concat", {v, v}, {one_int("axis", 0)}, &s) == "1,2,3,4,5,6,1,2,3,4,5,6");
    CHECK(s == Shape{4, 3});
    CHECK(eval_ints("Reshape", {v, ints_tensor({2}, {3, -1})}, {}, &s) == "1,2,3,4,5,6");
    CHECK(s == Shape{3, 2});
    CHECK(eval_ints("Transpose", {v}, {}, &s) == "1,4,2,5,3,6");
    CHECK(s == Shape{3, 2});
    CHECK(eval_ints("Flatten", {ints_tensor({1, 2, 3}, {1, 2, 3, 4, 5, 6})}, {one_int("axis", 2)}, &s) == "1,2,3,4,5,6");
    CHECK(s == Shape{2, 3});
    CHECK(eval_ints("Unsqueeze", {v, ints_tensor({1}, {0})}, {}, &s) == "1,2,3,4,5,6");
    CHECK(s == Shape{1, 2, 3});
    CHECK(eval_ints("Squeeze", {ints_tensor({1, 3}, {7, 8, 9})}, {}, &s) == "7,8,9");
    CHECK(s == Shape{3});
    onnx::Attribute to = one_int("to", onnx::DT_FLOAT);
    CHECK(eval_ints("Cast", {ints_tensor({2}, {4, 5})}, {to}) == "f4,f5");
    onnx::Attribute c = ints("value_ints", {7, 8});
    CHECK(eval_ints("Constant", {}, {c}, &s) == "7,8");
    CHECK(s == Shape{2});
    // A runtime op has no evaluator; an input that is not known is named.
    CHECK(eval_ints("Conv", {v, v}) == "node 's' (Conv): operator Conv is not supported on constant data");
    CHECK_FALSE(bool(find_op("Conv")->eval_static));
    CHECK_FALSE(bool(find_op("Gather")->make));
    std::vector<StaticTensor> out;
    CHECK(static_eval(static_node("Neg", 1), 13, {nullptr}, {Shape{2}}, &out).error() ==
          "node 's' (Neg): input 0 must be known before the pass");
  }

  TEST_CASE("a static evaluator's call holds the node and its inputs, and its checks name the node") {
    const onnx::Node n = static_node("Gather", 2, {one_int("axis", -1), ints("perm", {1, 0})});
    const StaticTensor v = ints_tensor({2}, {4, 5});
    StaticTensor halves;
    halves.shape = {2};
    halves.f = {1.0f, 1.5f};
    const std::vector<const StaticTensor*> in = {&v, nullptr};
    const std::vector<Shape> shapes = {Shape{2}, Shape{3}};
    const StaticCall c{n, 11, in, shapes};
    CHECK(c.opset == 11);
    CHECK(c.shapes[1] == Shape{3});
    const StaticTensor* x = nullptr;
    CHECK(c.input(0, &x).is_ok());
    CHECK(x == &v);
    CHECK(x->rank() == 1);
    // Absent, known only by its shape, or past the node's inputs: refused, and value() is null.
    CHECK(c.input(1, &x).error() == "node 's' (Gather): input 1 must be known before the pass");
    CHECK(x == nullptr);
    CHECK(c.input(2, &x).error() == "node 's' (Gather): input 2 must be known before the pass");
    CHECK(c.value(1) == nullptr);
    CHECK(c.value(2) == nullptr);
    int64_t a = 0;
    CHECK(c.axis(-1, 3, &a).is_ok());
    CHECK(a == 2);
    CHECK(c.axis(3, 3, &a).error() == "node 's' (Gather): axis 3 is out of range for rank 3");
    std::vector<int64_t> got;
    CHECK(c.ints(&v, "indices", &got).is_ok());
    CHECK(got == std::vector<int64_t>{4, 5});
    CHECK(c.ints(&halves, "indices", &got).error() == "node 's' (Gather): indices must be integers");
    CHECK(c.ints(nullptr, "starts", &got).error() == "node 's' (Gather): starts must be known before the pass");
    CHECK(c.check_size(Shape{4096, 4096}).is_ok());
    CHECK(c.check_size(Shape{4096, 4097}).error() == "node 's' (Gather): shape " + shape_str(Shape{4096, 4097}) + " is too large");
    CHECK(c.attr_int("axis", 0) == -1);
    CHECK(c.attr_int("keepdims", 7) == 7);
    CHECK(c.attr_ints("perm", &got));
    CHECK(got == std::vector<int64_t>{1, 0});
    CHECK_FALSE(c.attr_ints("axes", &got));
  }

  TEST_CASE("Add, Sub, Mul and Div share one evaluator, instantiated once per op") {
    std::set<StaticEval*> evals;
    for (const char* op : {"Add", "Sub", "Mul", "Div"}) evals.insert(find_op(op)->eval_static);
    CHECK(evals.size() == 4);
    CHECK(evals.count(nullptr) == 0);
    // Floats go through double; integers truncate (as the exporter's shape arithmetic expects).
    StaticTensor f;
    f.shape = {2};
    f.f = {3.0f, 7.0f};
    StaticTensor two = ints_tensor({}, {2});
    const std::pair<const char*, std::vector<float>> cases[] = {
        {"Add", {5, 9}}, {"Sub", {1, 5}}, {"Mul", {6, 14}}, {"Div", {1.5f, 3.5f}}};
    for (const auto& c : cases) {
      const char* op = c.first;  // not a structured binding: clang 14 cannot capture one in INFO's lambda
      const std::vector<float>& want = c.second;
      INFO("op " << op);
      std::vector<StaticTensor> out;
      REQUIRE(static_eval(static_node(op, 2), 13, {&f, &two}, {f.shape, two.shape}, &out).is_ok());
      REQUIRE(out.size() == 1);
      CHECK_FALSE(out[0].is_int);
      CHECK(out[0].f == want);
    }
    CHECK(eval_ints("Div", {ints_tensor({1}, {7}), ints_tensor({}, {-2})}) == "-3");
  }
}
