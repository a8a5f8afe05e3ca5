package io.strata.engine.iscsi.login;

/**
 * What login agreed for a session and its connection (RFC 7143 section 13). Lengths in bytes.
 *
 * @param initiatorMaxRecvDataSegmentLength the most we may put in one PDU we send
 * @param targetMaxRecvDataSegmentLength the most the initiator may put in one PDU it sends us
 */
public record OperationalParameters(
    boolean headerDigest,
    boolean dataDigest,
    int initiatorMaxRecvDataSegmentLength,
    int targetMaxRecvDataSegmentLength,
    int maxConnections,
    boolean initialR2T,
    boolean immediateData,
    int maxBurstLength,
    int firstBurstLength,
    int defaultTime2Wait,
    int defaultTime2Retain,
    int maxOutstandingR2T,
    boolean dataPduInOrder,
    boolean dataSequenceInOrder,
    int errorRecoveryLevel) {}
