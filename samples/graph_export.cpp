// Writes the autograd graph of a small MLP's loss as Graphviz DOT, leaves labelled with
// the parameters' names. Render it with:  dot -Tsvg model.dot -o model.svg
#include <ember/ember.h>
#include <ember/graph_export.h>
#include <ember/nn/summary.h>

#include <cstdio>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "model.dot";
  ember::manual_seed(0);
  ember::nn::Sequential model(ember::nn::Linear(784, 128), ember::nn::ReLU(), ember::nn::Linear(128, 10));
  ember::Tensor x = ember::randn({32, 784});
  ember::Tensor target = ember::randint(0, 10, {32});
  ember::Tensor loss = ember::nn::functional::cross_entropy(model->forward(x), target);

  std::ofstream(path) << ember::autograd::to_dot(loss, *model);
  std::printf("wrote %s; render it with: dot -Tsvg %s -o model.svg\n", path.c_str(), path.c_str());
  return 0;
}
