/* Strata's own libdisni, part 3: com.ibm.disni.util.NativeAffinity (CPU affinity of a thread). */
#define _GNU_SOURCE
#include "disni_common.h"

#include <sched.h>

JNIEXPORT void JNICALL Java_com_ibm_disni_util_NativeAffinity__1setAffinity(
    JNIEnv *env, jclass cls, jlong mask) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu = 0; cpu < 64; cpu++) {
    if ((uint64_t)mask & ((uint64_t)1 << cpu)) {
      CPU_SET(cpu, &set);
    }
  }
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    strata_throw_errno(env, "sched_setaffinity");
  }
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_util_NativeAffinity__1getAffinity(
    JNIEnv *env, jclass cls) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) {
    return -1;
  }
  uint64_t mask = 0;
  for (int cpu = 0; cpu < 64; cpu++) {
    if (CPU_ISSET(cpu, &set)) {
      mask |= (uint64_t)1 << cpu;
    }
  }
  return (jlong)mask;
}
