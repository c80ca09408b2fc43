// The delaying relay of `./stack chaos delay` (hosts mode): the kernel here has no netem
// (CONFIG_NET_SCH_NETEM is not set), so the latency is added in user space. Run in the
// source host's namespace, it listens on loopback ports to which an nftables redirect sends
// the host's new connections to the other host's ports, connects on to the real address,
// and holds every chunk it passes, each way, for half the delay, in order: each round trip
// between the two hosts takes the delay longer, a connection's set-up included.
//
//   java scripts/Relay.java <round-trip-ms> <listen-port> <host:port> [<listen-port> <host:port>...]
//
// It prints "relaying" once it listens, and relays until it is stopped: ./stack heals the
// fault by sending new connections straight again and resetting those through the relay
// (scripts/hosts.sh, hosts_heal) before it stops it.
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

public class Relay {

	private static long oneWayMillis;

	public static void main(String[] args) throws Exception {
		if (args.length < 3 || args.length % 2 != 1) {
			throw new IllegalArgumentException("usage: Relay <round-trip-ms> <listen-port> <host:port>...");
		}
		oneWayMillis = Long.parseLong(args[0]) / 2;
		for (int i = 1; i < args.length; i += 2) {
			ServerSocket server = new ServerSocket();
			server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[i])));
			String[] target = args[i + 1].split(":");
			InetSocketAddress address = new InetSocketAddress(target[0], Integer.parseInt(target[1]));
			start(() -> accept(server, address));
		}
		System.out.println("relaying");
		System.out.flush();
	}

	private static void accept(ServerSocket server, InetSocketAddress target) {
		while (true) {
			try {
				Socket client = server.accept();
				start(() -> relay(client, target));
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private static void relay(Socket client, InetSocketAddress target) {
		try (client; Socket upstream = new Socket()) {
			// The handshake's round trip.
			Thread.sleep(2 * oneWayMillis);
			upstream.connect(target, 10_000);
			client.setTcpNoDelay(true);
			upstream.setTcpNoDelay(true);
			Thread back = start(() -> pump(upstream, client));
			pump(client, upstream);
			back.join();
		}
		catch (IOException | InterruptedException ex) {
			// The connection ends: the client sees it closed, as it would see the server close it.
		}
	}

	/** Copies one direction, every chunk held for the one-way delay and sent in order. */
	private static void pump(Socket from, Socket to) {
		ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
		try {
			InputStream in = from.getInputStream();
			OutputStream out = to.getOutputStream();
			byte[] buffer = new byte[16384];
			int n;
			while ((n = in.read(buffer)) > 0) {
				byte[] chunk = Arrays.copyOf(buffer, n);
				later.schedule(() -> send(out, chunk, to), oneWayMillis, TimeUnit.MILLISECONDS);
			}
			later.schedule(() -> shutdownOutput(to), oneWayMillis, TimeUnit.MILLISECONDS);
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

	private static Thread start(Runnable task) {
		Thread thread = new Thread(task);
		thread.start();
		return thread;
	}

}
