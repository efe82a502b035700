package io.biometer.ingress.grpc;

import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.biometer.ingress.Refusal;
import io.biometer.ingress.Refused;
import io.biometer.ingress.grpc.v1.ReadingsProto;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.common.WireFormat;

/**
 * A message of a call: the protobuf message, or why it could not be read. Decoding never fails the
 * call, so that a bad message is answered like any refused one.
 *
 * @param message the message, or null if it could not be read
 * @param refused why it could not be read, or null
 */
record Inbound<M>(M message, Refused refused) {

  /**
   * The method {@code rpc} of {@code biometer.ingress.v1.Readings} as Vert.x serves it: named by
   * the descriptor generated from the proto, its messages read with {@code parser}.
   */
  static <M, O extends com.google.protobuf.MessageLite> ServiceMethod<Inbound<M>, O> method(
      String rpc, Parser<M> parser) {
    Descriptors.ServiceDescriptor service =
        ReadingsProto.getDescriptor().findServiceByName("Readings");
    Descriptors.MethodDescriptor m = service.findMethodByName(rpc);
    String type = m.getInputType().getFullName();
    GrpcMessageDecoder<Inbound<M>> decoder =
        new GrpcMessageDecoder<>() {
          @Override
          public Inbound<M> decode(GrpcMessage msg) {
            try {
              return new Inbound<>(parser.parseFrom(msg.payload().getBytes()), null);
            } catch (InvalidProtocolBufferException e) {
              return new Inbound<>(
                  null,
                  new Refused(
                      Refusal.MALFORMED,
                      "a message that is not a " + type + ": " + e.getMessage()));
            }
          }

          @Override
          public boolean accepts(WireFormat format) {
            return format == WireFormat.PROTOBUF;
          }
        };
    return ServiceMethod.server(
        ServiceName.create(service.getFullName()),
        m.getName(),
        GrpcMessageEncoder.encoder(),
        decoder);
  }
}
