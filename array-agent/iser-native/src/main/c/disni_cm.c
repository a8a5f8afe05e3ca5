/*
 * Strata's own libdisni, part 1: the RDMA connection manager (librdmacm).
 *
 * DiSNI's jar (com.ibm.disni:disni) ships only Java; its NativeDispatcher declares native methods
 * and loads "disni". This file implements the connection-manager half of those methods against
 * Debian's librdmacm. Every handle crosses JNI as the native pointer in a jlong.
 *
 * Conventions DiSNI's Java side relies on (read from its class files):
 *  - a negative return from _getContext means "no device yet" (an id bound to the wildcard
 *    address); DiSNI then asks again on the connection's own id;
 *  - _getCmEvent writes two ids (listening id or the event's id, then the event's id) and returns
 *    the event type, or -1 when the timeout passes;
 *  - _ackCmEvent gets only the event type, so events are acknowledged here as soon as they are
 *    read (what the Java side needs is copied out first).
 */
#include "disni_common.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <rdma/rdma_cma.h>

/* What the initiator asked for in its connect request, kept until we accept it. */
struct strata_conn_request {
  uint8_t responder_resources;
  uint8_t initiator_depth;
  uint8_t private_data_len;
  uint8_t private_data[64];
};

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1createEventChannel(
    JNIEnv *env, jobject self) {
  struct rdma_event_channel *channel = rdma_create_event_channel();
  if (channel == NULL) {
    strata_throw_errno(env, "rdma_create_event_channel");
    return -1;
  }
  return (jlong)(uintptr_t)channel;
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1createId(
    JNIEnv *env, jobject self, jlong channel, jshort ps) {
  struct rdma_cm_id *id = NULL;
  if (rdma_create_id(PTR(struct rdma_event_channel, channel), &id, NULL,
                     (enum rdma_port_space)(uint16_t)ps) != 0) {
    strata_throw_errno(env, "rdma_create_id");
    return -1;
  }
  return (jlong)(uintptr_t)id;
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1createQP(
    JNIEnv *env, jobject self, jlong id, jlong pd, jlong send_cq, jlong recv_cq, jint qp_type,
    jint max_send_wr, jint max_recv_wr, jint max_inline) {
  struct ibv_qp_init_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.send_cq = PTR(struct ibv_cq, send_cq);
  attr.recv_cq = PTR(struct ibv_cq, recv_cq);
  attr.qp_type = (enum ibv_qp_type)qp_type;
  attr.cap.max_send_wr = (uint32_t)max_send_wr;
  attr.cap.max_recv_wr = (uint32_t)max_recv_wr;
  attr.cap.max_send_sge = STRATA_MAX_SGE;
  attr.cap.max_recv_sge = STRATA_MAX_SGE;
  attr.cap.max_inline_data = (uint32_t)max_inline;
  struct rdma_cm_id *cm_id = PTR(struct rdma_cm_id, id);
  if (rdma_create_qp(cm_id, PTR(struct ibv_pd, pd), &attr) != 0) {
    strata_throw_errno(env, "rdma_create_qp");
    return -1;
  }
  return (jlong)(uintptr_t)cm_id->qp;
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1bindAddr(
    JNIEnv *env, jobject self, jlong id, jlong addr) {
  if (rdma_bind_addr(PTR(struct rdma_cm_id, id), PTR(struct sockaddr, addr)) != 0) {
    strata_throw_errno(env, "rdma_bind_addr");
  }
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1listen(
    JNIEnv *env, jobject self, jlong id, jint backlog) {
  if (rdma_listen(PTR(struct rdma_cm_id, id), backlog) != 0) {
    strata_throw_errno(env, "rdma_listen");
  }
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1resolveAddr(
    JNIEnv *env, jobject self, jlong id, jlong src, jlong dst, jint timeout) {
  if (rdma_resolve_addr(PTR(struct rdma_cm_id, id), PTR(struct sockaddr, src),
                        PTR(struct sockaddr, dst), timeout) != 0) {
    strata_throw_errno(env, "rdma_resolve_addr");
  }
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1resolveRoute(
    JNIEnv *env, jobject self, jlong id, jint timeout) {
  if (rdma_resolve_route(PTR(struct rdma_cm_id, id), timeout) != 0) {
    strata_throw_errno(env, "rdma_resolve_route");
  }
}

/* Keeps what a connect request carried on the new id until it is accepted or destroyed. */
static void remember_request(struct rdma_cm_event *event) {
  struct strata_conn_request *request = calloc(1, sizeof *request);
  if (request == NULL) {
    return;
  }
  request->responder_resources = event->param.conn.responder_resources;
  request->initiator_depth = event->param.conn.initiator_depth;
  uint8_t n = event->param.conn.private_data_len;
  if (n > sizeof request->private_data) {
    n = sizeof request->private_data;
  }
  if (event->param.conn.private_data != NULL && n > 0) {
    memcpy(request->private_data, event->param.conn.private_data, n);
    request->private_data_len = n;
  }
  event->id->context = request;
}

static void forget_request(struct rdma_cm_id *id) {
  free(id->context);
  id->context = NULL;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getCmEvent(
    JNIEnv *env, jobject self, jlong channel, jlong listen_id_out, jlong client_id_out,
    jint timeout) {
  struct rdma_event_channel *ch = PTR(struct rdma_event_channel, channel);
  struct pollfd pfd = {.fd = ch->fd, .events = POLLIN};
  int ready = poll(&pfd, 1, timeout);
  if (ready <= 0) {
    return -1;
  }
  struct rdma_cm_event *event = NULL;
  if (rdma_get_cm_event(ch, &event) != 0) {
    return -1;
  }
  int type = (int)event->event;
  struct rdma_cm_id *first = event->listen_id != NULL ? event->listen_id : event->id;
  *PTR(jlong, listen_id_out) = (jlong)(uintptr_t)first;
  *PTR(jlong, client_id_out) = (jlong)(uintptr_t)event->id;
  if (event->event == RDMA_CM_EVENT_CONNECT_REQUEST) {
    remember_request(event);
  }
  rdma_ack_cm_event(event);
  return type;
}

/* The accept/connect parameters: RDMA READ depth within what the peer offered. */
static void fill_accept_param(struct rdma_cm_id *id, struct rdma_conn_param *param,
                              jint retry_count, jint rnr_retry_count) {
  memset(param, 0, sizeof *param);
  param->retry_count = (uint8_t)retry_count;
  param->rnr_retry_count = (uint8_t)rnr_retry_count;
  param->responder_resources = STRATA_RDMA_READ_DEPTH;
  param->initiator_depth = STRATA_RDMA_READ_DEPTH;
  struct strata_conn_request *request = id->context;
  if (request != NULL) {
    /* We may issue as many RDMA READs as the peer will answer, and answer as many as it issues. */
    if (request->responder_resources < param->initiator_depth) {
      param->initiator_depth = request->responder_resources;
    }
    if (request->initiator_depth < param->responder_resources) {
      param->responder_resources = request->initiator_depth;
    }
  }
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1connect(
    JNIEnv *env, jobject self, jlong id, jint retry_count, jint rnr_retry_count,
    jlong private_data, jbyte private_data_len) {
  struct rdma_conn_param param;
  memset(&param, 0, sizeof param);
  param.retry_count = (uint8_t)retry_count;
  param.rnr_retry_count = (uint8_t)rnr_retry_count;
  param.responder_resources = STRATA_RDMA_READ_DEPTH;
  param.initiator_depth = STRATA_RDMA_READ_DEPTH;
  param.private_data = PTR(void, private_data);
  param.private_data_len = (uint8_t)private_data_len;
  if (rdma_connect(PTR(struct rdma_cm_id, id), &param) != 0) {
    strata_throw_errno(env, "rdma_connect");
  }
}

JNIEXPORT void JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1accept(
    JNIEnv *env, jobject self, jlong id, jint retry_count, jint rnr_retry_count) {
  struct rdma_cm_id *cm_id = PTR(struct rdma_cm_id, id);
  struct rdma_conn_param param;
  fill_accept_param(cm_id, &param, retry_count, rnr_retry_count);
  if (rdma_accept(cm_id, &param) != 0) {
    strata_throw_errno(env, "rdma_accept");
  }
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1ackCmEvent(
    JNIEnv *env, jobject self, jint event) {
  return 0; /* already acknowledged in _getCmEvent */
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1disconnect(
    JNIEnv *env, jobject self, jlong id) {
  return rdma_disconnect(PTR(struct rdma_cm_id, id)) == 0 ? 0 : -errno;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1destroyEventChannel(
    JNIEnv *env, jobject self, jlong channel) {
  rdma_destroy_event_channel(PTR(struct rdma_event_channel, channel));
  return 0;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1destroyCmId(
    JNIEnv *env, jobject self, jlong id) {
  struct rdma_cm_id *cm_id = PTR(struct rdma_cm_id, id);
  forget_request(cm_id);
  return rdma_destroy_id(cm_id) == 0 ? 0 : -errno;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1destroyQP(
    JNIEnv *env, jobject self, jlong id) {
  rdma_destroy_qp(PTR(struct rdma_cm_id, id));
  return 0;
}

static jint copy_address(struct sockaddr *from, jlong to) {
  if (from == NULL || from->sa_family != AF_INET) {
    return -1; /* DiSNI's Java side reads IPv4 only */
  }
  memcpy(PTR(void, to), from, sizeof(struct sockaddr_in));
  return 0;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getSrcAddr(
    JNIEnv *env, jobject self, jlong id, jlong addr) {
  return copy_address(rdma_get_local_addr(PTR(struct rdma_cm_id, id)), addr);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getDstAddr(
    JNIEnv *env, jobject self, jlong id, jlong addr) {
  return copy_address(rdma_get_peer_addr(PTR(struct rdma_cm_id, id)), addr);
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1destroyEp(
    JNIEnv *env, jobject self, jlong id) {
  struct rdma_cm_id *cm_id = PTR(struct rdma_cm_id, id);
  forget_request(cm_id);
  rdma_destroy_ep(cm_id);
  return 0;
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getContext(
    JNIEnv *env, jobject self, jlong id) {
  struct ibv_context *verbs = PTR(struct rdma_cm_id, id)->verbs;
  return verbs != NULL ? (jlong)(uintptr_t)verbs : -1;
}

JNIEXPORT jint JNICALL Java_com_ibm_disni_verbs_impl_NativeDispatcher__1getSockAddrInSize(
    JNIEnv *env, jobject self) {
  return (jint)sizeof(struct sockaddr_in);
}

/*
 * Not part of DiSNI: accept with private data, because RFC 7145 has the target answer the iSER
 * CM REQ with an iSER CM REP (flags in the first byte) and DiSNI's accept carries none.
 */
JNIEXPORT void JNICALL Java_io_strata_engine_transport_iser_IserNative_acceptWithPrivateData(
    JNIEnv *env, jclass cls, jlong id, jint retry_count, jint rnr_retry_count, jbyteArray data) {
  struct rdma_cm_id *cm_id = PTR(struct rdma_cm_id, id);
  struct rdma_conn_param param;
  fill_accept_param(cm_id, &param, retry_count, rnr_retry_count);
  jbyte bytes[64];
  jsize n = data == NULL ? 0 : (*env)->GetArrayLength(env, data);
  if (n > (jsize)sizeof bytes) {
    n = sizeof bytes;
  }
  if (n > 0) {
    (*env)->GetByteArrayRegion(env, data, 0, n, bytes);
    param.private_data = bytes;
    param.private_data_len = (uint8_t)n;
  }
  if (rdma_accept(cm_id, &param) != 0) {
    strata_throw_errno(env, "rdma_accept");
  }
}

/* Not part of DiSNI: the private data of the connect request that created this id (iSER CM REQ). */
JNIEXPORT jbyteArray JNICALL Java_io_strata_engine_transport_iser_IserNative_requestPrivateData(
    JNIEnv *env, jclass cls, jlong id) {
  struct strata_conn_request *request = PTR(struct rdma_cm_id, id)->context;
  jsize n = request == NULL ? 0 : request->private_data_len;
  jbyteArray out = (*env)->NewByteArray(env, n);
  if (out != NULL && n > 0) {
    (*env)->SetByteArrayRegion(env, out, 0, n, (const jbyte *)request->private_data);
  }
  return out;
}

/* Not part of DiSNI: reject a connect request (bad iSER CM REQ, or no resources). */
JNIEXPORT jint JNICALL Java_io_strata_engine_transport_iser_IserNative_reject(
    JNIEnv *env, jclass cls, jlong id) {
  return rdma_reject(PTR(struct rdma_cm_id, id), NULL, 0) == 0 ? 0 : -errno;
}
