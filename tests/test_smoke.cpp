#include <catch2/catch.hpp>
#include <ember/ember.h>
TEST_CASE("smoke: add and backward") {
  auto a = ember::tensor({1.0, 2.0, 3.0}, ember::requires_grad());
  auto b = (a * a).sum();
  b.backward();
  CHECK(b.item<float>() == 14.0f);
  CHECK(a.grad()[1].item<float>() == 4.0f);
}
