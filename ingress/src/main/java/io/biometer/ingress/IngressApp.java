package io.biometer.ingress;

import io.biometer.config.ConfigArgs;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;

/**
 * Runs one ingress gateway: {@code ./biometer ingress [--config FILE] [key=value ...]}. Exit codes:
 * 0 stopped, 1 a part could not be reached, 2 a mistake in the configuration.
 */
public final class IngressApp {

  private IngressApp() {}

  public static void main(String[] args) {
    IngressConfig config;
    try {
      ConfigArgs parsed = ConfigArgs.parse(args, null);
      if (parsed.help()) {
        System.out.println("usage: biometer ingress [--config FILE] [key=value ...]");
        System.out.println(
            "keys: docs/configuration.md; environment: " + IngressConfig.ENV_PREFIX + "<KEY>");
        return;
      }
      config = IngressConfig.load(parsed.file(), System.getenv(), parsed.values());
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("biometer-ingress: " + e.getMessage());
      System.exit(2);
      return;
    }
    Gateway gateway;
    try {
      gateway = Gateway.start(config);
    } catch (Exception e) {
      System.err.println("biometer-ingress: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  gateway.close();
                  stopped.countDown();
                },
                "biometer-ingress-shutdown"));
    System.out.println("biometer-ingress: listening");
    gateway.describe().forEach(line -> System.out.println("  " + line));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
