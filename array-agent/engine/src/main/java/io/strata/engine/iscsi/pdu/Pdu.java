package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * One iSCSI PDU as a value. Each opcode is its own record; {@link PduCodec} and {@link
 * PduDecoder} are the only code that knows the wire layout.
 */
public sealed interface Pdu
    permits NopOut,
        ScsiCommandPdu,
        TaskManagementRequest,
        LoginRequest,
        TextRequest,
        DataOut,
        LogoutRequest,
        SnackRequest,
        NopIn,
        ScsiResponsePdu,
        TaskManagementResponse,
        LoginResponse,
        TextResponse,
        DataIn,
        LogoutResponse,
        ReadyToTransfer,
        AsyncMessage,
        Reject {

  ByteBuffer NO_DATA = ByteBuffer.allocate(0).asReadOnlyBuffer();

  Opcode opcode();

  /** The data segment (without padding or digest); empty when the PDU carries none. */
  default ByteBuffer data() {
    return NO_DATA;
  }
}
