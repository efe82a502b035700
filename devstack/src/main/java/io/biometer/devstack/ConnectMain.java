package io.biometer.devstack;

import java.util.Arrays;
import java.util.Optional;
import org.apache.kafka.connect.cli.ConnectDistributed;

/**
 * The main class of the local run's Connect worker process: Kafka's {@link ConnectDistributed},
 * plus a watch on the local stack that started it, so that a worker whose parent was killed does
 * not live on holding its port.
 *
 * <p>Usage: {@code ConnectMain <parent-pid> worker.properties}.
 */
public final class ConnectMain {

  private ConnectMain() {}

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: ConnectMain <parent-pid> worker.properties");
      System.exit(2);
    }
    long parentPid = Long.parseLong(args[0]);
    Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
    Thread watch =
        new Thread(
            () -> {
              while (parent.map(ProcessHandle::isAlive).orElse(false)) {
                try {
                  Thread.sleep(1000);
                } catch (InterruptedException e) {
                  return;
                }
              }
              System.err.println("the local stack (pid " + parentPid + ") is gone; stopping");
              // Connect's shutdown talks to a Kafka that went with the stack: give it 15 s.
              Thread halt =
                  new Thread(
                      () -> {
                        try {
                          Thread.sleep(15_000);
                        } catch (InterruptedException e) {
                          return;
                        }
                        Runtime.getRuntime().halt(0);
                      },
                      "halt");
              halt.setDaemon(true);
              halt.start();
              System.exit(0);
            },
            "parent-watch");
    watch.setDaemon(true);
    watch.start();
    ConnectDistributed.main(Arrays.copyOfRange(args, 1, args.length));
  }
}
