/*
 * Strata's own libdisni, part 2: verbs (libibverbs) and the struct layouts DiSNI shares.
 *
 * DiSNI's stateful verb calls lay work requests out in direct memory themselves, at the sizes and
 * offsets this library reports (_getIbvSendWRSize, _getRemoteAddressOffset, ...). Reporting the
 * real sizeof/offsetof of this machine's <infiniband/verbs.h> makes those buffers genuine
 * ibv_send_wr / ibv_recv_wr / ibv_wc arrays, so posting and polling need no copying here.
 */
#include "disni_common.h"

#include <poll.h>
#include <stddef.h>
#include <infiniband/verbs.h>

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1allocPd(
    JNIEnv *env, jobject self, jlong context) {
  struct ibv_pd *pd = ibv_alloc_pd(PTR(struct ibv_context, context));
  if (pd == NULL) {
    strata_throw_errno(env, "ibv_alloc_pd");
    return -1;
  }
  return (jlong)(uintptr_t)pd;
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1createCompChannel(
    JNIEnv *env, jobject self, jlong context) {
  struct ibv_comp_channel *channel = ibv_create_comp_channel(PTR(struct ibv_context, context));
  if (channel == NULL) {
    strata_throw_errno(env, "ibv_create_comp_channel");
    return -1;
  }
  return (jlong)(uintptr_t)channel;
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1createCQ(
    JNIEnv *env, jobject self, jlong context, jlong channel, jint ncqe, jint comp_vector) {
  struct ibv_cq *cq = ibv_create_cq(PTR(struct ibv_context, context), ncqe, NULL,
                                    PTR(struct ibv_comp_channel, channel), comp_vector);
  if (cq == NULL) {
    strata_throw_errno(env, "ibv_create_cq");
    return -1;
  }
  return (jlong)(uintptr_t)cq;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1modifyQP(
    JNIEnv *env, jobject self, jlong qp, jlong attr) {
  /* DiSNI passes no attributes (0); the connection manager drives QP states itself. */
  return 0;
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1regMr(
    JNIEnv *env, jobject self, jlong pd, jlong addr, jint length, jint access, jlong lkey_out,
    jlong rkey_out, jlong handle_out) {
  struct ibv_mr *mr = ibv_reg_mr(PTR(struct ibv_pd, pd), PTR(void, addr), (size_t)(uint32_t)length,
                                 access);
  if (mr == NULL) {
    strata_throw_errno(env, "ibv_reg_mr");
    return -1;
  }
  *PTR(uint32_t, lkey_out) = mr->lkey;
  *PTR(uint32_t, rkey_out) = mr->rkey;
  *PTR(uint32_t, handle_out) = mr->handle;
  return (jlong)(uintptr_t)mr;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1queryOdpSupport(
    JNIEnv *env, jobject self, jlong context) {
  return -1; /* on-demand paging is not used; memory is registered up front */
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1expPrefetchMr(
    JNIEnv *env, jobject self, jlong mr, jlong addr, jint length) {
  strata_throw(env, "expPrefetchMr (experimental verbs are not in rdma-core)", ENOSYS);
  return -1;
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1deregMr(
    JNIEnv *env, jobject self, jlong mr) {
  int error = ibv_dereg_mr(PTR(struct ibv_mr, mr));
  if (error != 0) {
    strata_throw(env, "ibv_dereg_mr", error);
  }
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1postSend(
    JNIEnv *env, jobject self, jlong qp, jlong wr_list) {
  struct ibv_send_wr *bad = NULL;
  int error = ibv_post_send(PTR(struct ibv_qp, qp), PTR(struct ibv_send_wr, wr_list), &bad);
  if (error != 0) {
    strata_throw(env, "ibv_post_send", error);
  }
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1postRecv(
    JNIEnv *env, jobject self, jlong qp, jlong wr_list) {
  struct ibv_recv_wr *bad = NULL;
  int error = ibv_post_recv(PTR(struct ibv_qp, qp), PTR(struct ibv_recv_wr, wr_list), &bad);
  if (error != 0) {
    strata_throw(env, "ibv_post_recv", error);
  }
}

/* Waits up to timeout ms for a completion event; 0 when one came, -1 when none did. */
JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getCqEvent(
    JNIEnv *env, jobject self, jlong channel, jint timeout) {
  struct ibv_comp_channel *ch = PTR(struct ibv_comp_channel, channel);
  struct pollfd pfd = {.fd = ch->fd, .events = POLLIN};
  if (poll(&pfd, 1, timeout) <= 0) {
    return -1;
  }
  struct ibv_cq *cq = NULL;
  void *cq_context = NULL;
  if (ibv_get_cq_event(ch, &cq, &cq_context) != 0) {
    return -1;
  }
  return 0;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1pollCQ(
    JNIEnv *env, jobject self, jlong cq, jint ne, jlong wc_array) {
  return ibv_poll_cq(PTR(struct ibv_cq, cq), ne, PTR(struct ibv_wc, wc_array));
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1reqNotifyCQ(
    JNIEnv *env, jobject self, jlong cq, jint solicited_only) {
  return ibv_req_notify_cq(PTR(struct ibv_cq, cq), solicited_only);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1ackCqEvent(
    JNIEnv *env, jobject self, jlong cq, jint nevents) {
  ibv_ack_cq_events(PTR(struct ibv_cq, cq), (unsigned int)nevents);
  return 0;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1destroyCompChannel(
    JNIEnv *env, jobject self, jlong channel) {
  return ibv_destroy_comp_channel(PTR(struct ibv_comp_channel, channel));
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1deallocPd(
    JNIEnv *env, jobject self, jlong pd) {
  return ibv_dealloc_pd(PTR(struct ibv_pd, pd));
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1destroyCQ(
    JNIEnv *env, jobject self, jlong cq) {
  return ibv_destroy_cq(PTR(struct ibv_cq, cq));
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getQpNum(
    JNIEnv *env, jobject self, jlong qp) {
  return (jint)PTR(struct ibv_qp, qp)->qp_num;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getContextFd(
    JNIEnv *env, jobject self, jlong context) {
  return PTR(struct ibv_context, context)->cmd_fd;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getContextNumCompVectors(
    JNIEnv *env, jobject self, jlong context) {
  return PTR(struct ibv_context, context)->num_comp_vectors;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getPdHandle(
    JNIEnv *env, jobject self, jlong pd) {
  return (jint)PTR(struct ibv_pd, pd)->handle;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getIbvRecvWRSize(
    JNIEnv *env, jobject self) {
  return (jint)sizeof(struct ibv_recv_wr);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getIbvSendWRSize(
    JNIEnv *env, jobject self) {
  return (jint)sizeof(struct ibv_send_wr);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getIbvSgeSize(
    JNIEnv *env, jobject self) {
  return (jint)sizeof(struct ibv_sge);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getIbvWCSize(
    JNIEnv *env, jobject self) {
  return (jint)sizeof(struct ibv_wc);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getRemoteAddressOffset(
    JNIEnv *env, jobject self) {
  return (jint)offsetof(struct ibv_send_wr, wr.rdma.remote_addr);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getRKeyOffset(
    JNIEnv *env, jobject self) {
  return (jint)offsetof(struct ibv_send_wr, wr.rdma.rkey);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getVersion(
    JNIEnv *env, jobject self) {
  return STRATA_DISNI_JNI_VERSION;
}

/*
 * DiSNI's Java code writes wr_id, next, sg_list, num_sge, opcode, send_flags and imm_data at
 * fixed offsets 0..36 and polls ibv_wc fields in declaration order; the build fails here rather
 * than corrupting memory at run time if a future verbs.h moved them.
 */
_Static_assert(offsetof(struct ibv_send_wr, wr_id) == 0, "ibv_send_wr.wr_id");
_Static_assert(offsetof(struct ibv_send_wr, next) == 8, "ibv_send_wr.next");
_Static_assert(offsetof(struct ibv_send_wr, sg_list) == 16, "ibv_send_wr.sg_list");
_Static_assert(offsetof(struct ibv_send_wr, num_sge) == 24, "ibv_send_wr.num_sge");
_Static_assert(offsetof(struct ibv_send_wr, opcode) == 28, "ibv_send_wr.opcode");
_Static_assert(offsetof(struct ibv_send_wr, send_flags) == 32, "ibv_send_wr.send_flags");
_Static_assert(offsetof(struct ibv_recv_wr, num_sge) == 24, "ibv_recv_wr.num_sge");
_Static_assert(sizeof(struct ibv_sge) == 16, "ibv_sge");
_Static_assert(offsetof(struct ibv_wc, byte_len) == 20, "ibv_wc.byte_len");
_Static_assert(offsetof(struct ibv_wc, qp_num) == 28, "ibv_wc.qp_num");
