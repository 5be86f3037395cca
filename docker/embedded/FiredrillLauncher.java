import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Starts an OpenSearchRunner cluster for firedrill's `embedded` provider.
 *
 * <p>Pins every node's HTTP and transport port and seeds discovery with only this cluster's own
 * transport ports, so two clusters on one machine never find each other and the runner never
 * drifts to another HTTP port. With --watch-stdin the JVM exits as soon as stdin closes, i.e. when
 * the Node process that started it dies, even by SIGKILL: no orphan JVMs. A line `stop-node N` on
 * stdin closes node N meanwhile (tests of a node lost mid-work).
 *
 * <p>With --plugin CLASS (repeatable) the nodes also load that plugin from the classpath, e.g. the
 * security plugin, whose settings and files the caller writes into each node's config dir first.
 *
 * <p>Usage: FiredrillLauncher --base-path DIR --nodes N --http-port H --transport-port T
 * --cluster-name NAME [--plugin CLASS]... [--watch-stdin] [--delete-on-exit DIR]
 */
public final class FiredrillLauncher {
  public static void main(String[] args) throws Exception {
    String basePath = null, clusterName = null;
    List<String> plugins = new ArrayList<>();
    Path deleteOnExit = null;
    int nodes = 1, httpPort = 9200, transportPort = 9300;
    boolean watchStdin = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--base-path" -> basePath = args[++i];
        case "--nodes" -> nodes = Integer.parseInt(args[++i]);
        case "--http-port" -> httpPort = Integer.parseInt(args[++i]);
        case "--transport-port" -> transportPort = Integer.parseInt(args[++i]);
        case "--cluster-name" -> clusterName = args[++i];
        case "--plugin" -> plugins.add(args[++i]);
        case "--watch-stdin" -> watchStdin = true;
        case "--delete-on-exit" -> deleteOnExit = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (basePath == null || clusterName == null)
      throw new IllegalArgumentException("--base-path and --cluster-name are required");

    final int n = nodes, http = httpPort, transport = transportPort;
    final String name = clusterName;
    final Path toDelete = deleteOnExit;
    List<String> seeds = new ArrayList<>(), names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      seeds.add("127.0.0.1:" + (transport + i));
      names.add(name + "-" + (i + 1));
    }

    OpenSearchRunner runner = new OpenSearchRunner();
    runner.setMaxHttpPort(-1); // take our ports as given instead of probing for "free" ones below 9300
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    runner.close();
                  } catch (IOException | RuntimeException e) {
                    System.err.println("firedrill: closing the cluster failed: " + e);
                  }
                  if (toDelete != null) deleteTree(toDelete);
                }));
    runner.onBuild(
        (number, settings) -> {
          int i = number - 1; // the runner numbers nodes from 1
          settings.put("node.name", names.get(i));
          // Loopback only (OpenSearch's default, made explicit): a dev cluster is never reachable from the
          // network. The Docker image widens HTTP alone (http.host) so its published port answers.
          settings.put("network.host", "_local_");
          settings.put("http.port", String.valueOf(http + i));
          settings.put("transport.port", String.valueOf(transport + i));
          // The runner's default roles leave out ingest; firedrill's pipelines need it on every node.
          settings.putList("node.roles", "cluster_manager", "data", "ingest");
          if (n == 1) {
            settings.put("discovery.type", "single-node");
          } else {
            settings.putList("discovery.seed_hosts", seeds);
            // The runner starts nodes one by one, each waiting for a cluster to exist: the first
            // node bootstraps it alone rather than waiting 30 s for a quorum not yet started.
            settings.putList("cluster.initial_cluster_manager_nodes", names.get(0));
          }
        });
    OpenSearchRunner.Configs configs =
        OpenSearchRunner.newConfigs()
            .basePath(basePath)
            .numOfNode(n)
            .baseHttpPort(http - 1)
            .clusterName(name);
    if (!plugins.isEmpty()) configs.pluginTypes(String.join(",", plugins));
    runner.build(configs);

    if (watchStdin) {
      // Until the parent closes the pipe; `stop-node N` meanwhile closes node N (1-based) as if it died,
      // so tests can lose a node of a running cluster.
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("stop-node ")) {
          int node = Integer.parseInt(line.substring("stop-node ".length()).trim());
          try {
            runner.getNode(node - 1).close();
            System.out.println("firedrill: stopped node " + node);
          } catch (IOException | RuntimeException e) {
            System.err.println("firedrill: stopping node " + node + " failed: " + e);
          }
        }
      }
      System.exit(0);
    }
    Thread.currentThread().join();
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) return;
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("firedrill: could not delete " + root + ": " + e);
    }
  }
}
