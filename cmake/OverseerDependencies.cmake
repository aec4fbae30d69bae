# Every dependency comes from a Debian package (scripts/install-deps.sh installs them).
find_package(MPI REQUIRED COMPONENTS CXX)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(Threads REQUIRED)
# FindHDF5 probes its C component with a C compiler.
enable_language(C)
find_package(HDF5 REQUIRED COMPONENTS C CXX)
find_package(ZLIB REQUIRED)
find_package(Boost REQUIRED)
# The bayes searcher: Eigen for its linear algebra, NLopt (its C library; nlopt.hpp, the C++
# wrapper over it, comes from libnlopt-cxx-dev) for its inner optimizations.
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(NLopt 2.7 CONFIG REQUIRED)

# RDKit (librdkit-dev) ships neither a CMake config nor a pkg-config file.
find_path(RDKIT_INCLUDE_DIR GraphMol/GraphMol.h PATH_SUFFIXES rdkit REQUIRED)
set(RDKIT_LIBRARIES)
foreach(component Fingerprints SmilesParse GraphMol DataStructs RDGeneral)
  find_library(RDKIT_${component}_LIBRARY RDKit${component} REQUIRED)
  list(APPEND RDKIT_LIBRARIES ${RDKIT_${component}_LIBRARY})
endforeach()
add_library(RDKit::RDKit INTERFACE IMPORTED)
target_include_directories(RDKit::RDKit INTERFACE ${RDKIT_INCLUDE_DIR})
target_link_libraries(RDKit::RDKit INTERFACE ${RDKIT_LIBRARIES} Boost::headers)

# XGBoost's package configuration refers to the xgboost command-line tool; the C API header and
# the library are all Overseer needs.
find_path(XGBOOST_INCLUDE_DIR xgboost/c_api.h REQUIRED)
find_library(XGBOOST_LIBRARY NAMES xgboost REQUIRED)
add_library(XGBoost::xgboost UNKNOWN IMPORTED)
set_target_properties(XGBoost::xgboost PROPERTIES IMPORTED_LOCATION "${XGBOOST_LIBRARY}"
                                                  INTERFACE_INCLUDE_DIRECTORIES "${XGBOOST_INCLUDE_DIR}")

# LibTorch: Debian's CPU build, or a site's CUDA or ROCm build through -DTorch_DIR. Only the
# torch plug-in links it (src/models/torch/).
if(OVERSEER_WITH_TORCH)
  find_package(Torch REQUIRED)
endif()
