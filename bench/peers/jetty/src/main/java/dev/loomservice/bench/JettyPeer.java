package dev.loomservice.bench;

import java.util.concurrent.Executors;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty peers of {@code bench/}: loom-service's routes as Jetty 12 core {@link Routes Handlers} (no servlets),
 * written as plain blocking code, on one of two thread models chosen at start:
 *
 * <pre>
 * java -jar target/jetty-peer.jar --port 38006 --threads platform   # Jetty's default pool: 200 platform threads
 * java -jar target/jetty-peer.jar --port 38007 --threads virtual    # the same handlers on virtual threads
 * java -jar target/jetty-peer.jar --port 38008 --threads virtual \
 *     --db postgresql://bench@127.0.0.1:5432/bench --db-pool 10      # posts in PostgreSQL (the db scenario)
 * </pre>
 *
 * <p>Posts are kept in memory, or with {@code --db URI} in PostgreSQL over JDBC ({@link PgStore}).
 *
 * <p>{@code platform} is the thread-per-request model that virtual threads replace: Jetty's default
 * {@link QueuedThreadPool}, at most 200 threads (its selector and acceptor among them) and Jetty's default job
 * queue, which grows without bound. So at most about 200 requests run at once; the others wait in the queue,
 * unanswered, for as long as the client waits. Nothing rejects them.
 *
 * <p>{@code virtual} is the same pool with {@link QueuedThreadPool#setVirtualThreadsExecutor} given a
 * virtual-thread-per-task executor, the first of the two ways Jetty's programming guide shows: the pool's platform
 * threads run the selector and acceptor, and Jetty hands every blocking task, such as a handler, to a new virtual
 * thread, without a cap. The guide prefers a bounded {@code VirtualThreadPool} (a semaphore of 200 by default); a
 * cap would bring back the wall that this peer exists to show gone, and neither loom-service (whose limiter answers
 * 503 instead of queueing) nor the bare Helidon peer has one.
 *
 * <p>Server options as loom-service's ({@code server:} in {@code etc/application.yaml}) where Jetty has them: accept
 * backlog 4096, idle connections closed after 60 s; Jetty's defaults otherwise.
 */
public final class JettyPeer {
    private JettyPeer() {
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 8080;
        String threads = "platform";
        String db = null;
        int dbPool = 10;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--host" -> host = args[i + 1];
                case "--threads" -> threads = args[i + 1];
                case "--db" -> db = args[i + 1];
                case "--db-pool" -> dbPool = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        QueuedThreadPool pool = new QueuedThreadPool(); // Jetty's defaults: 200 threads at most, 8 at least
        switch (threads) {
            case "platform" -> { }
            case "virtual" -> pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
            default -> throw new IllegalArgumentException("--threads must be platform or virtual, not " + threads);
        }
        pool.setName("jetty-" + threads);

        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        connector.setIdleTimeout(60_000);
        server.addConnector(connector);
        HttpClient client = client();
        server.addBean(client); // started and stopped with the server
        server.setHandler(new Routes(new FanOut(client),
                                     new Posts(db == null ? Posts.inMemory() : new PgStore(db, dbPool))));
        server.start();
        System.out.println("jetty-peer (" + threads + " threads) on http://" + host + ":" + connector.getLocalPort());
        server.join();
    }

    /**
     * Jetty's HTTP client for {@code /fanout}, shared by all requests, with its own default thread pool in both
     * models (so the two peers differ only in the threads that run handlers). Jetty's default of 64 connections per
     * destination is raised, so that {@code /fanout} is not throttled by the client pool, as in the other peers.
     */
    private static HttpClient client() {
        HttpClient client = new HttpClient();
        client.setMaxConnectionsPerDestination(10_000);
        client.setConnectTimeout(FanOut.CALL_TIMEOUT_MS);
        client.setFollowRedirects(false);
        return client;
    }
}
