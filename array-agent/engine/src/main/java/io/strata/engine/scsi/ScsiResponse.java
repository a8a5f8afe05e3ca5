package io.strata.engine.scsi;

import java.nio.ByteBuffer;

/**
 * The outcome of one {@link ScsiCommand}: a SAM status, fixed-format sense data when the status is
 * CHECK CONDITION, and the Data-In bytes (possibly more than the initiator asked for: the
 * transport truncates and reports the residual).
 */
public record ScsiResponse(int status, byte[] sense, ByteBuffer dataIn) {}
