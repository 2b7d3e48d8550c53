// The process's malloc is gperftools' tcmalloc (Debian's libtcmalloc-minimal4), linked ahead
// of glibc's: importing the module links it (its module map names the library), and the
// dynamic linker then resolves every malloc and free, the Swift runtime's too, to it.
//
// Why: a plan reads, parses and renders on both cores at once. glibc's malloc makes those
// threads take turns on its arenas' locks (thousands of futex waits in a 20,000-vhost plan),
// and given more arenas it holds more memory. tcmalloc's per-thread caches take no lock for
// most allocations: `reconcile-bench plan` measured the whole process 20-25% faster at 20,000
// and 100,000 vhosts, at the same or a lower peak RSS (the README's performance section).
import CTCMalloc
