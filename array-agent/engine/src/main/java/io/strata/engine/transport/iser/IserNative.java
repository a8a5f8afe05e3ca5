package io.strata.engine.transport.iser;

/**
 * Strata's libdisni: the JNI library that DiSNI's Java classes load as "disni", built from
 * array-agent/iser-native. Besides DiSNI's own native methods it has these few that DiSNI lacks
 * (the iSER CM private data of RFC 7145 5.1).
 */
final class IserNative {
  private static final String PROBLEM = load();

  private IserNative() {}

  private static String load() {
    try {
      System.loadLibrary("disni");
      return null;
    } catch (UnsatisfiedLinkError e) {
      return "libdisni is not on java.library.path (" + System.getProperty("java.library.path")
          + "): build array-agent/iser-native where libibverbs-dev and librdmacm-dev are installed ("
          + e.getMessage() + ")";
    }
  }

  /** Null when the library loaded, else why iSER cannot run here. */
  static String problem() {
    return PROBLEM;
  }

  /** rdma_accept with our RDMA Read depths and {@code privateData} (the iSER CM REP). */
  static native void acceptWithPrivateData(long cmId, int retryCount, int rnrRetryCount, byte[] privateData);

  /** The private data of the connect request that created {@code cmId} (the iSER CM REQ). */
  static native byte[] requestPrivateData(long cmId);

  /** rdma_reject of a connect request. */
  static native int reject(long cmId);
}
