// Op-table rows for the nn ops: activations, softmax family, losses and distances,
// normalization, dropout (reseeded inside the row so every evaluation draws the same
// mask), and the linear algebra extras. Rows of ops with kinks are not smooth (no
// gradgradcheck); their inputs are kept away from the kinks.
#include "op_table.h"

namespace {
using namespace ember_test;
using ember::Tensor;
namespace Red = ember::Reduction;

Tensor dvec(std::initializer_list<double> v) { return ember::tensor(v, ember::TensorOptions().dtype(ember::kDouble)); }

// x * 1, so that in-place variants can write into a non-leaf.
Tensor copy_of(const Tensor& x) { return x * 1.0; }

const RegisterOps rows({
    // ---- activations ----------------------------------------------------------------
    {"gelu", {{{3, 4}}}, one([](const Inputs& x) { return ember::gelu(x[0]); })},
    {"gelu tanh", {{{3, 4}}}, one([](const Inputs& x) { return ember::gelu(x[0], "tanh"); })},
    {"silu", {{{3, 4}}}, one([](const Inputs& x) { return ember::silu(x[0]); })},
    {"mish", {{{3, 4}}}, one([](const Inputs& x) { return ember::mish(x[0]); })},
    {"softplus", {{{3, 4}}}, one([](const Inputs& x) { return ember::softplus(x[0], 2, 1.5); })},
    {"log_sigmoid", {{{3, 4}}}, one([](const Inputs& x) { return ember::log_sigmoid(x[0] * 3); })},
    {"softsign", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return ember::softsign(x[0]); })},
    {"celu", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return ember::celu(x[0], 0.7); })},
    {"elu alpha 1", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return ember::elu(x[0]); })},
    {"elu scaled", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return ember::elu(x[0], 1.5, 2.0, 0.5); }),
     false},
    {"selu", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return ember::selu(x[0]); }), false},
    {"leaky_relu", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return ember::leaky_relu(x[0], 0.2); }),
     false},
    {"hardtanh", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return ember::hardtanh(x[0] * 0.8); }), false},
    {"relu6", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return ember::relu6(x[0] * 4); }), false},
    {"hardsigmoid", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return ember::hardsigmoid(x[0] * 2); }),
     false},
    {"hardswish", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) { return ember::hardswish(x[0] * 2.5); }),
     false},
    {"silu_ on a non-leaf", {{{3, 4}}}, one([](const Inputs& x) {
       Tensor y = copy_of(x[0]);
       return ember::silu_(y);
     })},
    {"gelu_ on a non-leaf", {{{3, 4}}}, one([](const Inputs& x) {
       Tensor y = copy_of(x[0]);
       return ember::gelu_(y);
     })},
    {"leaky_relu_ on a non-leaf", {{{3, 4}, Domain::AwayFromZero}}, one([](const Inputs& x) {
       Tensor y = copy_of(x[0]);
       return ember::leaky_relu_(y, 0.1);
     }),
     false},

    // ---- softmax family ---------------------------------------------------------------
    {"softmax last dim", {{{3, 4}}}, one([](const Inputs& x) { return ember::softmax(x[0], 1); })},
    {"softmax dim 0", {{{3, 4}}}, one([](const Inputs& x) { return ember::softmax(x[0], 0); })},
    {"softmax middle dim", {{{2, 3, 4}}}, one([](const Inputs& x) { return ember::softmax(x[0], 1); })},
    {"log_softmax last dim", {{{3, 4}}}, one([](const Inputs& x) { return ember::log_softmax(x[0], -1); })},
    {"log_softmax middle dim", {{{2, 3, 4}}}, one([](const Inputs& x) { return ember::log_softmax(x[0], 1); })},
    {"logsumexp", {{{3, 4}}}, one([](const Inputs& x) { return ember::logsumexp(x[0], {1}); })},
    {"logsumexp keepdim", {{{2, 3, 4}}}, one([](const Inputs& x) { return ember::logsumexp(x[0], {0, 2}, true); })},

    // ---- losses and distances -----------------------------------------------------------
    {"mse_loss", {{{3, 4}}, {{3, 4}}}, one([](const Inputs& x) { return ember::mse_loss(x[0], x[1]); })},
    {"mse_loss none broadcast", {{{3, 4}}, {{4}}},
     one([](const Inputs& x) { return ember::mse_loss(x[0], x[1], Red::None); })},
    {"l1_loss", {{{3, 4}}, {{3, 4}}}, one([](const Inputs& x) { return ember::l1_loss(x[0], x[1], Red::Sum); }), false},
    {"smooth_l1_loss", {{{3, 4}}, {{3, 4}}},
     one([](const Inputs& x) { return ember::smooth_l1_loss(x[0], x[1], Red::None, 0.8); }), false},
    {"huber_loss", {{{3, 4}}, {{3, 4}}}, one([](const Inputs& x) { return ember::huber_loss(x[0], x[1], Red::Mean, 0.6); }),
     false},
    {"cross_entropy indices", {{{4, 5}}, {{4}, Domain::Index, 5}},
     one([](const Inputs& x) { return ember::cross_entropy_loss(x[0], x[1]); })},
    {"cross_entropy weighted ignore smoothing", {{{6, 5}}, {{6}, Domain::Index, 5}},
     one([](const Inputs& x) {
       return ember::cross_entropy_loss(x[0], x[1], dvec({0.5, 1.0, 2.0, 1.5, 0.25}), Red::Mean, 2, 0.2);
     })},
    {"cross_entropy none N-d", {{{2, 3, 2}}, {{2, 2}, Domain::Index, 3}},
     one([](const Inputs& x) { return ember::cross_entropy_loss(x[0], x[1], {}, Red::None); })},
    {"cross_entropy probabilities", {{{4, 5}}, {{4, 5}}},
     one([](const Inputs& x) {
       return ember::cross_entropy_loss(x[0], ember::softmax(x[1], 1), dvec({0.5, 1.0, 2.0, 1.5, 0.25}), Red::Sum, -100,
                                        0.1);
     })},
    {"nll_loss weighted", {{{4, 5}}, {{4}, Domain::Index, 5}, {{5}, Domain::Positive}},
     one([](const Inputs& x) { return ember::nll_loss(x[0], x[1], x[2]); })},
    {"binary_cross_entropy", {{{3, 4}}, {{3, 4}}, {{4}, Domain::Positive}},
     one([](const Inputs& x) {
       return ember::binary_cross_entropy(ember::sigmoid(x[0]), ember::sigmoid(x[1]), x[2].expand({3, 4}));
     })},
    {"binary_cross_entropy_with_logits", {{{3, 4}}, {{3, 4}}, {{4}, Domain::Positive}, {{4}, Domain::Positive}},
     one([](const Inputs& x) {
       return ember::binary_cross_entropy_with_logits(x[0] * 3, ember::sigmoid(x[1]), x[2], x[3], Red::Sum);
     })},
    {"kl_div", {{{3, 4}}, {{3, 4}}},
     one([](const Inputs& x) { return ember::kl_div(ember::log_softmax(x[0], 1), ember::softmax(x[1], 1), Red::Sum); })},
    {"kl_div log_target", {{{3, 4}}, {{3, 4}}},
     one([](const Inputs& x) {
       return ember::kl_div(ember::log_softmax(x[0], 1), ember::log_softmax(x[1], 1), Red::None, true);
     })},
    {"margin_ranking_loss", {{{6}}, {{6}}},
     one([](const Inputs& x) {
       return ember::margin_ranking_loss(x[0], x[1], dvec({1.0, -1.0, 1.0, -1.0, 1.0, -1.0}), 0.3, Red::None);
     }),
     false},
    {"cosine_embedding_loss", {{{4, 3}}, {{4, 3}}},
     one([](const Inputs& x) { return ember::cosine_embedding_loss(x[0], x[1], dvec({1.0, -1.0, -1.0, 1.0}), -0.9); }),
     false},
    {"triplet_margin_loss", {{{4, 3}}, {{4, 3}}, {{4, 3}}},
     one([](const Inputs& x) {
       return ember::triplet_margin_loss(x[0], x[1], x[2], 5.0, 2, 1e-6, true, Red::Sum);
     }),
     false},
    {"cosine_similarity", {{{4, 3}}, {{4, 3}}}, one([](const Inputs& x) { return ember::cosine_similarity(x[0], x[1]); })},
    {"cosine_similarity broadcast", {{{4, 3}}, {{3}}},
     one([](const Inputs& x) { return ember::cosine_similarity(x[0], x[1], -1); })},
    {"pairwise_distance p2", {{{4, 3}}, {{4, 3}}},
     one([](const Inputs& x) { return ember::pairwise_distance(x[0], x[1]); })},
    {"pairwise_distance p3 keepdim", {{{4, 3}}, {{4, 3}}},
     one([](const Inputs& x) { return ember::pairwise_distance(x[0], x[1], 3, 1e-6, true); })},
    {"pairwise_distance p1", {{{4, 3}}, {{4, 3}}},
     one([](const Inputs& x) { return ember::pairwise_distance(x[0], x[1], 1); }), false},

    // ---- normalization and dropout -------------------------------------------------------
    {"batch_norm training", {{{4, 3, 2}}, {{3}}, {{3}}},
     one([](const Inputs& x) { return ember::batch_norm(x[0], x[1], x[2], {}, {}, true, 0.1, 1e-5, false); })},
    {"batch_norm eval", {{{4, 3, 2}}, {{3}}, {{3}}},
     one([](const Inputs& x) {
       return ember::batch_norm(x[0], x[1], x[2], dvec({0.1, -0.2, 0.3}), dvec({1.0, 0.5, 2.0}), false, 0.1, 1e-5, false);
     })},
    {"layer_norm", {{{2, 3, 4}}, {{3, 4}}, {{3, 4}}},
     one([](const Inputs& x) { return ember::layer_norm(x[0], {3, 4}, x[1], x[2]); })},
    {"group_norm", {{{2, 6, 2}}, {{6}}, {{6}}}, one([](const Inputs& x) { return ember::group_norm(x[0], 3, x[1], x[2]); })},
    {"instance_norm", {{{2, 3, 4}}, {{3}}, {{3}}},
     one([](const Inputs& x) { return ember::instance_norm(x[0], x[1], x[2], {}, {}, true, 0.1, 1e-5, false); })},
    {"local_response_norm", {{{2, 4, 3}}},
     one([](const Inputs& x) { return ember::local_response_norm(x[0], 3, 0.5, 0.75, 1.0); })},
    {"dropout", {{{4, 5}}}, one([](const Inputs& x) {
       ember::manual_seed(17);
       return ember::dropout(x[0], 0.3, true);
     })},
    {"feature_dropout", {{{4, 3, 2}}}, one([](const Inputs& x) {
       ember::manual_seed(17);
       return ember::feature_dropout(x[0], 0.5, true);
     })},
    {"alpha_dropout", {{{4, 5}}}, one([](const Inputs& x) {
       ember::manual_seed(17);
       return ember::alpha_dropout(x[0], 0.3, true);
     })},

    // ---- linear algebra extras ------------------------------------------------------------
    {"linear 2-d", {{{3, 4}}, {{2, 4}}, {{2}}}, one([](const Inputs& x) { return ember::linear(x[0], x[1], x[2]); })},
    {"linear 3-d", {{{2, 3, 4}}, {{2, 4}}, {{2}}}, one([](const Inputs& x) { return ember::linear(x[0], x[1], x[2]); })},
    {"linear no bias", {{{3, 4}}, {{2, 4}}}, one([](const Inputs& x) { return ember::linear(x[0], x[1]); })},
    {"bilinear", {{{3, 2}}, {{3, 4}}, {{2, 2, 4}}, {{2}}},
     one([](const Inputs& x) { return ember::bilinear(x[0], x[1], x[2], x[3]); })},
    {"einsum bilinear", {{{3, 2}}, {{2, 2, 4}}, {{3, 4}}},
     one([](const Inputs& x) { return ember::einsum("bn,anm,bm->ba", {x[0], x[1], x[2]}); })},
    {"einsum diagonal", {{{3, 3}}}, one([](const Inputs& x) { return ember::einsum("ii->i", {x[0]}); })},
    {"einsum ellipsis batch matmul", {{{2, 3, 4}}, {{4, 2}}},
     one([](const Inputs& x) { return ember::einsum("...ij,jk->...ik", {x[0], x[1]}); })},
    {"einsum outer and sum", {{{3}}, {{4}}, {{3, 4}}},
     one([](const Inputs& x) { return ember::einsum("i,j,ij->", {x[0], x[1], x[2]}); })},
    {"baddbmm", {{{3, 1, 3}}, {{3, 2, 4}}, {{3, 4, 3}}},
     one([](const Inputs& x) { return ember::baddbmm(x[0], x[1], x[2], 0.5, 2.0); })},
    {"tensordot", {{{3, 4, 2}}, {{4, 3, 2}}},
     one([](const Inputs& x) { return ember::tensordot(x[0], x[1], {0, 1}, {1, 0}); })},
    {"cross", {{{4, 3}}, {{4, 3}}}, one([](const Inputs& x) { return ember::cross(x[0], x[1], 1); })},
    {"linalg_cross broadcast", {{{2, 1, 3}}, {{4, 3}}},
     one([](const Inputs& x) { return ember::linalg_cross(x[0], x[1].unsqueeze(0)); })},
});

}  // namespace
