/* Shared helpers of Strata's libdisni (see disni_cm.c for what the library is). */
#ifndef STRATA_DISNI_COMMON_H
#define STRATA_DISNI_COMMON_H

#include <errno.h>
#include <jni.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A jlong handle back to the native pointer it carries. */
#define PTR(type, handle) ((type *)(uintptr_t)(handle))

/* Scatter/gather entries per work request; iSER needs one, a few leave room. */
#define STRATA_MAX_SGE 4
/* Outstanding RDMA READs per connection when the peer does not say otherwise. */
#define STRATA_RDMA_READ_DEPTH 16
/* The JNI interface version DiSNI 2.x checks in NativeDispatcher's constructor. */
#define STRATA_DISNI_JNI_VERSION 32

static inline void strata_throw(JNIEnv *env, const char *what, int error) {
  char message[256];
  snprintf(message, sizeof message, "%s failed: %s (errno %d)", what, strerror(error), error);
  jclass io = (*env)->FindClass(env, "java/io/IOException");
  if (io != NULL) {
    (*env)->ThrowNew(env, io, message);
  }
}

static inline void strata_throw_errno(JNIEnv *env, const char *what) {
  strata_throw(env, what, errno != 0 ? errno : EIO);
}

#endif
