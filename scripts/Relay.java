// The delaying relay of `./stack chaos delay` (hosts mode): the kernel here has no netem
// (CONFIG_NET_SCH_NETEM is not set), so the latency is added in user space. Run in the
// source host's namespace, it listens on loopback ports to which an nftables redirect sends
// the host's new connections to the other host's ports, connects on to the real address,
// and holds every chunk it passes, each way, for half the delay, in order: each round trip
// between the two hosts takes the delay longer, a connection's set-up included.
//
//   java scripts/Relay.java <round-trip-ms> <listen-port> <host:port> [<listen-port> <host:port>...]
//
// It prints "relaying" once it listens. SIGHUP (the fault healed) ends the delay: what is
// relayed from then on passes at once; a connection is closed once it has been idle for a
// second (a pool checks a connection idle that long before it lends it out: Hikari, past
// 500 ms), so that none is cut in the middle of an exchange, and the relay exits when the
// last has closed.
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import sun.misc.Signal;

public class Relay {

	private static volatile long oneWayMillis;

	private static volatile boolean healed;

	private static final AtomicInteger open = new AtomicInteger();

	/** Each open connection's two sockets, and when anything last passed either way. */
	private static final class Link {

		final Socket client;

		final Socket upstream;

		volatile long lastActive = System.nanoTime();

		Link(Socket client, Socket upstream) {
			this.client = client;
			this.upstream = upstream;
		}

	}

	private static final Set<Link> links = ConcurrentHashMap.newKeySet();

	public static void main(String[] args) throws Exception {
		if (args.length < 3 || args.length % 2 != 1) {
			throw new IllegalArgumentException("usage: Relay <round-trip-ms> <listen-port> <host:port>...");
		}
		oneWayMillis = Long.parseLong(args[0]) / 2;
		List<ServerSocket> servers = new ArrayList<>();
		for (int i = 1; i < args.length; i += 2) {
			ServerSocket server = new ServerSocket();
			server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[i])));
			servers.add(server);
			String[] target = args[i + 1].split(":");
			InetSocketAddress address = new InetSocketAddress(target[0], Integer.parseInt(target[1]));
			start(() -> accept(server, address));
		}
		Signal.handle(new Signal("HUP"), (signal) -> {
			oneWayMillis = 0;
			healed = true;
			exitIfIdle();
		});
		start(Relay::closeIdleOnceHealed);
		System.out.println("relaying");
		System.out.flush();
	}

	private static void accept(ServerSocket server, InetSocketAddress target) {
		while (true) {
			try {
				Socket client = server.accept();
				open.incrementAndGet();
				start(() -> relay(client, target));
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private static void relay(Socket client, InetSocketAddress target) {
		Link link = null;
		try (client; Socket upstream = new Socket()) {
			// The handshake's round trip.
			Thread.sleep(2 * oneWayMillis);
			upstream.connect(target, 10_000);
			client.setTcpNoDelay(true);
			upstream.setTcpNoDelay(true);
			link = new Link(client, upstream);
			links.add(link);
			Link active = link;
			Thread back = start(() -> pump(upstream, client, active));
			pump(client, upstream, active);
			back.join();
		}
		catch (IOException | InterruptedException ex) {
			// The connection ends: the client sees it closed, as it would see the server close it.
		}
		finally {
			if (link != null) {
				links.remove(link);
			}
			open.decrementAndGet();
			exitIfIdle();
		}
	}

	/** Once healed, closes every connection idle for a second, checking five times a second. */
	private static void closeIdleOnceHealed() {
		while (true) {
			try {
				Thread.sleep(200);
			}
			catch (InterruptedException ex) {
				return;
			}
			if (!healed) {
				continue;
			}
			long now = System.nanoTime();
			for (Link link : links) {
				if (now - link.lastActive >= TimeUnit.SECONDS.toNanos(1)) {
					close(link.client);
					close(link.upstream);
				}
			}
		}
	}

	/** Copies one direction, every chunk held for the one-way delay and sent in order. */
	private static void pump(Socket from, Socket to, Link link) {
		ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
		try {
			InputStream in = from.getInputStream();
			OutputStream out = to.getOutputStream();
			byte[] buffer = new byte[16384];
			int n;
			// Each chunk is due no sooner than the one before it: when the delay ends (the
			// heal), what follows must not overtake what is still held.
			long due = 0;
			while ((n = in.read(buffer)) > 0) {
				link.lastActive = System.nanoTime();
				byte[] chunk = Arrays.copyOf(buffer, n);
				due = Math.max(due, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(oneWayMillis));
				later.schedule(() -> send(out, chunk, to), due - System.nanoTime(), TimeUnit.NANOSECONDS);
			}
			due = Math.max(due, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(oneWayMillis));
			later.schedule(() -> shutdownOutput(to), due - System.nanoTime(), TimeUnit.NANOSECONDS);
		}
		catch (IOException ex) {
			later.execute(() -> close(to));
		}
		later.shutdown();
		try {
			later.awaitTermination(1, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void send(OutputStream out, byte[] chunk, Socket to) {
		try {
			out.write(chunk);
			out.flush();
		}
		catch (IOException ex) {
			close(to);
		}
	}

	private static void shutdownOutput(Socket socket) {
		try {
			socket.shutdownOutput();
		}
		catch (IOException ex) {
			close(socket);
		}
	}

	private static void close(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Closed already.
		}
	}

	private static void exitIfIdle() {
		if (healed && open.get() == 0) {
			System.exit(0);
		}
	}

	private static Thread start(Runnable task) {
		Thread thread = new Thread(task);
		thread.setDaemon(false);
		thread.start();
		return thread;
	}

}
