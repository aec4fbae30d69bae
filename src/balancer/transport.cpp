#include "overseer/balancer/transport.hpp"

namespace overseer {

double Transport::now() const {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace overseer
