// Native harness for a benchmark kernel: runs it once and prints the checksum in the same form
// phat prints results (`i32:N`), so the driver compares engines by text.
#include <stdint.h>
#include <stdio.h>

uint32_t run(void);

int main(void) {
  printf("i32:%u\n", run());
  return 0;
}
