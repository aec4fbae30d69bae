// Linked into the sanitizer build's `overseer` only (src/CMakeLists.txt). Open MPI unloads its
// components (mca_*.so) in MPI_Finalize, before LeakSanitizer looks at what is left; a leak
// whose frames lie in an unloaded library shows as "<unknown module>", which no suppression can
// name. With dlclose doing nothing, tests/sanitizers/lsan.supp matches those leaks by library.
// Overseer itself never unloads a library.
extern "C" int dlclose(void*) {
  return 0;
}
